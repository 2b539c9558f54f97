# Thin aliases for bin/dev, which does the work (and creates the virtual environment).
.PHONY: run test lint bench lock messages
run:
	bin/dev start
test:
	bin/dev test
lint:
	bin/dev lint
bench:
	bin/dev bench
lock:
	bin/dev lock
messages:
	bin/dev messages
