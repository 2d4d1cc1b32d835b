"""Sessions: what the store's records mean for a trainee and a trainer. A conversation as a
trainee holds it (`conversation`), debrief figures and progress (`progress`), the debrief's
referral lines (`debrief`), the cohort view (`cohort`) and answers a dialogue did not foresee
(`unmatched`).

May import the store, the scorer, the engine and the content below it; runs no SQL itself
(that is `trainer.store.queries`) and never imports Textual.
"""
