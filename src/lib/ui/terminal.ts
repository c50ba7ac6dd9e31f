// Apart from the logger (chalk, ora), so that the CLI can ask it before those have loaded.

/** Whether stderr is a terminal that wants colour: not under cron, a pipe or `NO_COLOR`. */
export function isInteractive(colorFlag = true, stream: NodeJS.WriteStream = process.stderr): boolean {
  const noColor = process.env.NO_COLOR;
  // A terminal that reports no width (a bare pty, as under `script`) sends ora's line clearing into an endless loop.
  const sized = (stream.columns ?? 0) > 0;
  const plain = (noColor !== undefined && noColor !== '') || process.env.TERM === 'dumb';
  return colorFlag && Boolean(stream.isTTY) && sized && !plain;
}
