#!/usr/bin/python3
# Changes dispositions and the mask, then ends: the next request of the
# same zygote must not see any of it.
import signal

signal.signal(signal.SIGTERM, lambda *_: None)
signal.signal(signal.SIGUSR1, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_DFL)
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGHUP, signal.SIGALRM])
signal.alarm(30)
print("changed")
