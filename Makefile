# Shortcuts; each target is one `python3 dev.py …` call, which bootstraps everything it needs.
.PHONY: test bench serve
test:
	python3 dev.py test
bench:
	python3 dev.py bench
serve:
	python3 dev.py
