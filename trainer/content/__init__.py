"""Content: the authors' world. Personas, dialogues and the sociale kaart read from YAML with
every position kept (`located`, `yaml_reasons`), checked against their schema (`schema`) and
turned into the typed model (`model`, `conditions`, `loader`); the whole-dialogue checks and
their problem codes (`checks`, `diagnostics`), persona lines as sandboxed templates
(`templates`), recognising services in a text (`kaart`, `recognise`), drawing a tree (`graph`)
and a new persona's scaffold (`scaffold`).

The bottom of the core: may import only `trainer.messages`, `trainer.errors` and
`trainer.files`, and never Textual.
"""
