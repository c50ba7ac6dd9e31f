# Short aliases of the package.json scripts.
.PHONY: install build test bench year smoke typecheck clean

install:
	npm install

build:
	npm run build

typecheck:
	npm run typecheck

test:
	npm test

bench:
	npm run bench

year:
	npm run year

smoke:
	npm run smoke

clean:
	rm -rf dist
