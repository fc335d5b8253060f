import atexit
import threading
import time


def late():
    time.sleep(0.2)
    print("thread done", flush=True)


atexit.register(lambda: print("atexit ran"))
threading.Thread(target=late).start()
print("main done")
