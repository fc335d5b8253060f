import sibling_mod
print(sibling_mod.VALUE, sibling_mod.__file__)
