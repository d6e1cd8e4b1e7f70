"""Reading each file of a pathway folder into frozen objects (the shape stage of loading).

One module per file: its keys checked (unknown ones listed with the allowed ones), its values
typed, every problem kept with its ``file:line``. `pathway.loader` runs them and builds the spec;
`pathway.validate` then checks what needs the whole spec.
"""
