"""`python -m llm4retail.cli ...`."""

from llm4retail.cli import main

main()
