.PHONY: run test test-postgres lint bench

run:            ## serve on http://127.0.0.1:8000 with a demo (SQLite, no set-up needed)
	./scripts/run

test:           ## install test dependencies and run the whole suite
	./scripts/test

test-postgres:  ## the same suite against the local PostgreSQL
	PEERWORK_TEST_DATABASE_URL=$${PEERWORK_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres} ./scripts/test

lint:           ## ruff and the import-linter architecture contracts
	./scripts/lint

bench:          ## benchmarks (PostgreSQL): ratios against floors measured in the same run
	./scripts/bench
