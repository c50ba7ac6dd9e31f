// The Russian locale alone: the package's main entry loads every locale (a second and 30 MB more).
import { faker as fakerRU } from '@faker-js/faker/locale/ru';
import { WeightedTable, type Rng } from './random.js';

/**
 * First names by birth decade, weighted by how common they were among the
 * children of that decade, and patronymics from the names of the fathers'
 * generation. The weights are approximate shares in percent, read off public
 * summaries of Moscow civil registry (ZAGS) statistics; docs/generator.md
 * gives the sources. The rest of each decade's names (RARE_SHARE) come from
 * faker's Russian lists, uniformly: rare names exist, but stay rare.
 */

type Decades = Readonly<Record<number, string>>;

/** `name weight` pairs per birth decade (1920 stands for the 1900s-1920s, fathers only). */
const MALE: Decades = {
  1920:
    'Иван 10 Николай 9 Василий 8 Михаил 7 Александр 7 Пётр 6 Алексей 5 Фёдор 5 Григорий 4 Сергей 4 Дмитрий 3 ' +
    'Павел 3 Степан 3 Владимир 3 Андрей 2 Яков 2 Георгий 2 Борис 2 Константин 2 Илья 2 Семён 2 Егор 1.5 Тимофей 1 ' +
    'Матвей 1 Леонид 1.5 Виктор 1.5 Евгений 1.5 Анатолий 1',
  1930:
    'Владимир 9 Николай 8 Александр 7 Иван 6 Виктор 5 Анатолий 5 Василий 5 Михаил 5 Алексей 4 Борис 4 Юрий 4 ' +
    'Пётр 4 Евгений 3 Георгий 3 Валентин 3 Фёдор 3 Дмитрий 2 Сергей 2 Павел 2 Григорий 2 Леонид 2 Геннадий 2 ' +
    'Константин 2 Степан 2 Лев 1.5 Яков 1.5 Андрей 1 Аркадий 1 Вячеслав 1',
  1940:
    'Владимир 10 Александр 8 Николай 7 Виктор 6 Юрий 6 Анатолий 5 Валерий 4 Евгений 4 Геннадий 4 Михаил 4 ' +
    'Борис 3 Сергей 3 Вячеслав 3 Иван 3 Алексей 3 Валентин 3 Леонид 2 Василий 2 Пётр 2 Владислав 1.5 Игорь 1.5 ' +
    'Олег 1.5 Станислав 1.5 Константин 1.5 Эдуард 1.5 Дмитрий 1 Аркадий 1',
  1950:
    'Сергей 10 Александр 10 Владимир 9 Виктор 5 Николай 5 Юрий 5 Михаил 4 Валерий 4 Евгений 4 Игорь 4 ' +
    'Андрей 3 Анатолий 3 Алексей 3 Олег 3 Вячеслав 3 Геннадий 2 Борис 2 Виталий 2 Владислав 1.5 Леонид 1.5 ' +
    'Иван 1.5 Дмитрий 1.5 Павел 1.5 Константин 1.5 Станислав 1.5 Валентин 1 Григорий 1',
  1960:
    'Сергей 13 Александр 11 Андрей 8 Владимир 7 Алексей 5 Игорь 5 Олег 4 Юрий 4 Михаил 4 Евгений 4 Дмитрий 3 ' +
    'Николай 3 Виктор 3 Валерий 2 Вадим 2 Вячеслав 2 Константин 2 Павел 2 Виталий 2 Анатолий 1.5 Владислав 1.5 ' +
    'Геннадий 1 Илья 1 Роман 1 Иван 1 Борис 1 Леонид 1',
  1970:
    'Сергей 10 Александр 10 Андрей 9 Алексей 8 Дмитрий 7 Игорь 4 Евгений 4 Владимир 4 Максим 3 Олег 3 ' +
    'Денис 3 Михаил 3 Роман 3 Павел 3 Николай 2 Константин 2 Вадим 2 Виталий 2 Антон 2 Юрий 2 Илья 1.5 Иван 1.5 ' +
    'Виктор 1.5 Артём 1 Кирилл 1 Владислав 1 Станислав 1',
  1980:
    'Александр 11 Дмитрий 8 Алексей 8 Сергей 7 Андрей 7 Максим 4 Евгений 4 Денис 4 Иван 3 Роман 3 Михаил 3 ' +
    'Антон 3 Павел 3 Владимир 2.5 Илья 2.5 Артём 2 Николай 2 Кирилл 2 Константин 2 Игорь 1.5 Никита 1.5 ' +
    'Владислав 1.5 Вадим 1 Виталий 1 Олег 1 Егор 1 Станислав 1',
  1990:
    'Александр 12 Дмитрий 8 Максим 6 Сергей 5 Андрей 5 Алексей 5 Артём 5 Илья 4 Кирилл 4 Михаил 4 Никита 4 ' +
    'Иван 4 Денис 3 Егор 3 Роман 3 Павел 2.5 Антон 2.5 Евгений 2.5 Владислав 2 Даниил 2 Николай 1.5 ' +
    'Владимир 1.5 Константин 1.5 Георгий 1 Игорь 1 Тимур 1 Глеб 1',
  2000:
    'Александр 10 Максим 7 Артём 6 Дмитрий 6 Даниил 6 Иван 5 Кирилл 5 Никита 5 Михаил 5 Егор 4 Илья 4 ' +
    'Андрей 3.5 Алексей 3.5 Матвей 2 Владислав 2 Сергей 2 Роман 2 Тимофей 2 Арсений 2 Денис 2 Глеб 1.5 ' +
    'Ярослав 1.5 Георгий 1.5 Павел 1.5 Владимир 1 Лев 1 Фёдор 1',
};

const FEMALE: Decades = {
  1930:
    'Валентина 9 Нина 8 Мария 7 Галина 6 Антонина 5 Анна 5 Тамара 5 Лидия 5 Зинаида 4 Людмила 4 Александра 4 ' +
    'Вера 4 Раиса 4 Клавдия 3 Надежда 3 Екатерина 3 Татьяна 3 Евдокия 2 Ольга 2 Елена 2 Любовь 2 Евгения 2 ' +
    'Софья 1 Алла 1 Маргарита 1',
  1940:
    'Галина 9 Валентина 8 Людмила 7 Нина 6 Тамара 5 Надежда 5 Татьяна 5 Лидия 4 Любовь 4 Вера 4 Антонина 3 ' +
    'Раиса 3 Мария 3 Алла 3 Светлана 3 Зоя 2 Ольга 2 Зинаида 2 Александра 2 Анна 2 Елена 2 Екатерина 1.5 ' +
    'Нелли 1 Майя 1',
  1950:
    'Татьяна 12 Людмила 7 Галина 7 Ольга 6 Наталья 6 Надежда 5 Ирина 5 Елена 5 Светлана 5 Валентина 4 ' +
    'Нина 4 Любовь 4 Вера 3 Лариса 3 Тамара 2 Лидия 2 Марина 2 Алла 2 Антонина 1 Мария 1 Анна 1 Раиса 1 Зоя 1',
  1960:
    'Елена 14 Татьяна 10 Ольга 10 Наталья 10 Ирина 9 Светлана 7 Марина 4 Людмила 3 Галина 3 Надежда 3 ' +
    'Лариса 3 Валентина 2 Любовь 2 Анна 1.5 Вера 1.5 Юлия 1 Нина 1 Оксана 1 Инна 1 Жанна 1 Маргарита 1 ' +
    'Екатерина 1 Алла 1',
  1970:
    'Елена 13 Ольга 9 Наталья 8 Татьяна 8 Ирина 7 Светлана 6 Юлия 5 Марина 4 Екатерина 4 Анна 3 Оксана 3 ' +
    'Мария 2 Евгения 2 Надежда 2 Анастасия 1.5 Виктория 1.5 Инна 1.5 Людмила 1 Галина 1 Лариса 1 Жанна 1 ' +
    'Вера 1 Любовь 1',
  1980:
    'Екатерина 9 Елена 8 Юлия 8 Анна 7 Ольга 6 Наталья 6 Мария 5 Татьяна 5 Анастасия 5 Ирина 4 Светлана 3 ' +
    'Евгения 3 Марина 3 Ксения 2.5 Виктория 2.5 Кристина 2 Александра 2 Дарья 2 Надежда 1.5 Алёна 1.5 ' +
    'Оксана 1.5 Валерия 1 Вера 1 Полина 1',
  1990:
    'Анастасия 10 Екатерина 8 Анна 7 Мария 7 Дарья 6 Юлия 5 Ксения 4 Елена 4 Виктория 4 Александра 3.5 ' +
    'Алина 3 Кристина 3 Полина 3 Валерия 2.5 Ольга 2 Наталья 2 Татьяна 2 Елизавета 2 Евгения 2 Ирина 1.5 ' +
    'Диана 1.5 Вероника 1.5 Алёна 1.5 Софья 1 Марина 1',
  2000:
    'Анастасия 8 Мария 8 Дарья 7 Анна 7 Елизавета 5 Полина 5 Виктория 5 Екатерина 5 Александра 4 Софья 4 ' +
    'Ксения 3.5 Алина 3 Валерия 3 Вероника 2.5 Арина 2.5 Варвара 2 Алиса 2 Диана 2 Юлия 2 Ульяна 1.5 ' +
    'Кристина 1.5 Маргарита 1.5 Милана 1 Ева 1 Василиса 1',
};

/** Share of names drawn from the long tail (faker's lists) instead of the decade's common names. */
export const RARE_SHARE = 0.04;

const PERSON = fakerRU.rawDefinitions.person as { first_name: { male: string[]; female: string[] } };

interface NameTable {
  readonly names: readonly string[];
  readonly table: WeightedTable;
}

function parse(pairs: string): NameTable {
  const tokens = pairs.split(' ');
  const names: string[] = [];
  const weights: number[] = [];
  for (let i = 0; i < tokens.length; i += 2) {
    names.push(tokens[i] as string);
    weights.push(Number(tokens[i + 1]));
  }
  return { names, table: new WeightedTable(weights) };
}

const tables = (d: Decades) => new Map(Object.entries(d).map(([k, v]) => [Number(k), parse(v)]));
const MALE_TABLES = tables(MALE);
const FEMALE_TABLES = tables(FEMALE);

/** The decade table for a birth year, clamped to the decades the tables cover. */
function decadeTable(byDecade: Map<number, NameTable>, year: number): NameTable {
  const t = byDecade.get(Math.floor(year / 10) * 10);
  if (t !== undefined) return t;
  const decades = [...byDecade.keys()];
  const decade = Math.min(Math.max(Math.floor(year / 10) * 10, Math.min(...decades)), Math.max(...decades));
  return byDecade.get(decade) as NameTable;
}

/** A first name for someone born in `year`. */
export function firstName(rng: Rng, male: boolean, year: number): string {
  if (rng() < RARE_SHARE) {
    const list = male ? PERSON.first_name.male : PERSON.first_name.female;
    return list[Math.floor(rng() * list.length)] as string;
  }
  const t = decadeTable(male ? MALE_TABLES : FEMALE_TABLES, year);
  return t.names[t.table.draw(rng)] as string;
}

const PATRONYMIC_STEMS: Readonly<Record<string, readonly [string, string]>> = {
  Илья: ['Ильич', 'Ильинична'],
  Никита: ['Никитич', 'Никитична'],
  Михаил: ['Михайлович', 'Михайловна'],
  Павел: ['Павлович', 'Павловна'],
  Лев: ['Львович', 'Львовна'],
  Пётр: ['Петрович', 'Петровна'],
  Яков: ['Яковлевич', 'Яковлевна'],
  Георгий: ['Георгиевич', 'Георгиевна'],
};

/** The patronymic from a father's first name, for a son or a daughter. */
export function patronymic(father: string, male: boolean): string {
  const irregular = PATRONYMIC_STEMS[father];
  if (irregular) return irregular[male ? 0 : 1];
  let stem: string;
  let soft = false;
  if (father.endsWith('ий')) {
    stem = `${father.slice(0, -2)}ь`;
    soft = true;
  } else if (father.endsWith('й') || father.endsWith('ь')) {
    stem = father.slice(0, -1);
    soft = true;
  } else {
    stem = father;
  }
  return `${stem}${soft ? 'е' : 'о'}${male ? 'вич' : 'вна'}`;
}

/** A patronymic for someone born in `year`: the father's name from the generation about 30 years older. */
export function patronymicFor(rng: Rng, male: boolean, year: number): string {
  const t = decadeTable(MALE_TABLES, year - 30);
  return patronymic(t.names[t.table.draw(rng)] as string, male);
}
