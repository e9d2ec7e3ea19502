# flowctl build targets. `make test` is the command CI runs (see .ci/run).
GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
BIN       := bin
FUZZTIME  ?= 30s

.PHONY: build test lint bench fuzz run clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/flowctl ./cmd/flowctl
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/flowd ./cmd/flowd

# Every test: unit, property, kill and end-to-end CLI scripts.
test:
	$(GO) test -count=1 ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: the files above need formatting"; exit 1; }
	$(GO) vet ./...
	@command -v staticcheck >/dev/null || $(GO) install honnef.co/go/tools/cmd/staticcheck@latest
	PATH="$$PATH:$$($(GO) env GOPATH)/bin" staticcheck ./...

# Benchmarks, one core, as recorded in docs/performance.md.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -cpu 1 ./pkg/...

# Run each fuzz target for FUZZTIME; the seed corpora under testdata/fuzz run with every `make test`.
fuzz:
	@for pkg in $$($(GO) list ./pkg/...); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzzing $$pkg $$target"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

# The README's first command: the quickstart pipeline end to end (file capture, SQLite derivation,
# SQLite materialization) from a fresh data directory, then the rows it materialized.
run: build
	rm -rf $(BIN)/quickstart-data examples/quickstart/quickstart.db*
	./$(BIN)/flowctl develop --source examples/quickstart/flow.yaml --data-dir $(BIN)/quickstart-data --exit-when-idle
	$(GO) run ./examples/quickstart/show examples/quickstart/quickstart.db orders customer_totals

clean:
	rm -rf $(BIN)
