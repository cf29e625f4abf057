"""One module per report section; each reads its rpt_/fct_ tables and degrades to a note."""
