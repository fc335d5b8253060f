def f():
    raise ValueError("boom")


print("start")
f()
