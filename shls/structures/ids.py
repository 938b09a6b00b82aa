"""The object-id conventions of every mask in shls (one definition for all layers).

Masks are ``uint8`` maps of object ids: 0 is the background, 1..254 are objects, and 255
marks void pixels (DAVIS-2017's "don't care" border), which are neither scored nor
memorised.
"""
#: Background id.
BACKGROUND = 0
#: Void / ignored pixels.
VOID_ID = 255
#: Number of possible ids in a ``uint8`` mask.
NUM_LABEL_BINS = 256
