"""Allow `python -m trainer` as an alias of the `buurttrainer` command."""

from trainer.cli import main

raise SystemExit(main())
