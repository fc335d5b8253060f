VALUE = "from sibling"
