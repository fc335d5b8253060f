import os
import signal
import sys

print("argv", sys.argv)
print("path0", sys.path[0])
print("name", __name__, "file", __file__, "package", __package__, "spec", __spec__)
print("loader", type(__loader__).__name__, "cached", __cached__)
print("flags", sys.flags.ignore_environment, sys.flags.no_user_site,
      sys.flags.dont_write_bytecode, sys.flags.utf8_mode, sys.flags.isolated)
for name in ("stdin", "stdout", "stderr"):
    s = getattr(sys, name)
    print(name, s.encoding, s.errors, s.line_buffering, s.write_through, s.mode,
          s.buffer.raw.name, s.buffer.raw.closefd, s.fileno(), s is getattr(sys, "__" + name + "__"))
print("cwd", os.getcwd())
um = os.umask(0)
print("umask", oct(um))
for sig in (signal.SIGINT, signal.SIGPIPE, signal.SIGXFSZ, signal.SIGTERM, signal.SIGCHLD,
            signal.SIGALRM, signal.SIGHUP, signal.SIGUSR1):
    h = signal.getsignal(sig)
    print("signal", sig.name, getattr(h, "__name__", h))
print("mask", sorted(signal.pthread_sigmask(signal.SIG_BLOCK, [])))
print("alarm", signal.alarm(0))
print("fds", sorted(int(f) for f in os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else "-")
print("main in modules", sys.modules["__main__"].__dict__ is globals())
print("ids", os.getuid(), os.geteuid(), os.getgid())
