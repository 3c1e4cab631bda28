# sqlite-tpe: hyperparameter optimization inside SQLite.
#
#   make              build the loadable extension tpe.so
#   make demo         run sql/demo.sql in the sqlite3 shell
#   make test         build and run every test
#   make bench        suggestion latency, memory and query speed
#   make bench-quality  optimization quality on the public problems
#   make sanitize     the unit and end-to-end tests under ASan and UBSan
#   make check-style  80 columns in C sources

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter
LIBM    := -lm
SQLITE3 ?= sqlite3
PYTHON  ?= /usr/bin/python3

SRC     := $(sort $(wildcard ext/*.c))
HDR     := $(wildcard ext/*.h)

.PHONY: all deps deps-build demo test unit sqltest pytest embedtest nodetest clean \
        sanitize check-style bench bench-quality fuzz

all: deps-build tpe.so

deps-build:
	@sh tools/deps.sh build

deps:
	@sh tools/deps.sh test

tpe.so: $(SRC) $(HDR)
	$(CC) $(CFLAGS) $(WARN) -fPIC -shared -fvisibility=hidden \
	  -o $@ $(SRC) $(LIBM)

# The same sources linked into a program with SQLite itself.
build/libtpe_core.a: $(SRC) $(HDR)
	@mkdir -p build/core
	for f in $(SRC); do \
	  $(CC) $(CFLAGS) $(WARN) -DSQLITE_CORE -c $$f \
	    -o build/core/$$(basename $$f .c).o || exit 1; \
	done
	ar rcs $@ build/core/*.o

demo: deps tpe.so
	$(SQLITE3) -bail -cmd '.load ./tpe' :memory: < sql/demo.sql

# --- tests ---------------------------------------------------------------
UNIT_TESTS := $(patsubst tests/%.c,build/%,$(wildcard tests/test_*.c))

build/test_%: tests/test_%.c build/libtpe_core.a $(HDR)
	$(CC) $(CFLAGS) $(WARN) -DSQLITE_CORE -Iext -o $@ $< \
	  build/libtpe_core.a -lcmocka -lsqlite3 $(LIBM)

# A program that links SQLite statically and registers sqlite-tpe itself.
build/embed: tests/embed.c build/libtpe_core.a
	$(CC) $(CFLAGS) $(WARN) -DSQLITE_CORE -Iext -o $@ $< \
	  build/libtpe_core.a -Wl,-Bstatic -lsqlite3 -Wl,-Bdynamic \
	  $(LIBM) -lpthread -ldl

unit: $(UNIT_TESTS)
	@for t in $(UNIT_TESTS); do echo "== $$t"; ./$$t || exit 1; done

embedtest: build/embed
	./build/embed

sqltest: tpe.so
	@sh tests/run_sql.sh "$(SQLITE3)"

pytest: tpe.so
	$(PYTHON) tests/test_python.py

# Node.js through better-sqlite3 (which bundles its own SQLite), where node
# and npm are installed.  make sanitize skips it: node cannot load a library
# built with the sanitizers.
NODE_TEST ?= 1
nodetest: tpe.so
	@if [ "$(NODE_TEST)" = 0 ]; then \
	  echo "node: not run (NODE_TEST=0)"; \
	elif command -v node >/dev/null && command -v npm >/dev/null; then \
	  cd tests/node && npm install --no-audit --no-fund --no-package-lock \
	    --loglevel=error >/dev/null && node --test test.js; \
	else \
	  echo "node: not installed, Node.js test not run"; \
	fi

test: deps tpe.so unit embedtest sqltest pytest nodetest
	@echo "all tests passed"

sanitize:
	$(MAKE) clean
	$(MAKE) test NODE_TEST=0 CFLAGS="-O1 -g -fsanitize=address,undefined \
	  -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  SQLITE3="env LD_PRELOAD=$$($(CC) -print-file-name=libasan.so) \
	  ASAN_OPTIONS=detect_leaks=0 sqlite3" \
	  PYTHON="env LD_PRELOAD=$$($(CC) -print-file-name=libasan.so) \
	  ASAN_OPTIONS=detect_leaks=0 /usr/bin/python3"
	$(MAKE) clean  # the next plain build must not link sanitized objects

# --- benchmarks (programs, not tests) -----------------------------------
build/bench_%: bench/%.c bench/problems.h build/libtpe_core.a $(HDR)
	$(CC) -O2 -g $(WARN) -DSQLITE_CORE -Iext -o $@ $< \
	  build/libtpe_core.a -lsqlite3 $(LIBM)

bench-quality: deps build/bench_quality
	./build/bench_quality --anchors

bench: deps tpe.so build/bench_speed
	./build/bench_speed
	$(PYTHON) bench/speed.py

# Fuzz the declaration parser for FUZZ_SECONDS (clang's libFuzzer).
FUZZ_SECONDS ?= 60
build/fuzz_space: tests/fuzz/fuzz_space.c $(SRC) $(HDR)
	@mkdir -p build
	clang -g -O1 -std=c11 -DSQLITE_CORE -Iext \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	  -o $@ $< $(SRC) -lsqlite3 $(LIBM)

fuzz: build/fuzz_space
	@mkdir -p build/fuzz-corpus
	./build/fuzz_space -max_total_time=$(FUZZ_SECONDS) \
	  -dict=tests/fuzz/space.dict build/fuzz-corpus tests/fuzz/seeds

check-style:
	@! grep -n '.\{81,\}' ext/*.c ext/*.h tests/*.c || \
	  (echo "lines over 80 columns above" && false)

clean:
	rm -rf build tpe.so
