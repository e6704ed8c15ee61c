"""The first process of an execution environment's sandbox (PID 1 of its namespaces); standard library only.

Started by ``unshare`` inside new user, PID, network, mount, IPC and UTS namespaces, it reads its
configuration from the gate over an inherited Unix socket, then:

1. brings the namespace's loopback up and binds the listeners the gate asked for (the Runtime API,
   the observing proxy, TLS on 443, DNS on 53), handing each socket to the gate (SCM_RIGHTS), so the
   function reaches the gate's servers and nothing else;
2. makes every mount read-only, lays private writable ``/tmp`` and ``/dev/shm`` and empty read-only
   folders over the places it must not see (the user's home, ``/run``), binding back read-only what
   the function needs from them (its code, its interpreter);
3. starts the function without any capability (``setpriv``), so it cannot undo any of that;
4. reaps orphans, and exits when the function exits (reporting its wait status) or when the gate's
   end of the socket closes: its exit ends every process of the namespace, however they detached.

No tool does 1 and 4 for a caller that must keep the listeners (bubblewrap cannot hand sockets
out), so this is written here; the namespaces themselves come from util-linux.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import select
import signal
import socket
import struct
import sys
from typing import Any, NoReturn

AT_FDCWD = -100
AT_RECURSIVE = 0x8000
MOUNT_ATTR_RDONLY = 0x1
SYS_MOUNT_SETATTR = 442  # the same number on every architecture (added after the syscall tables were unified)
MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1

libc = ctypes.CDLL(None, use_errno=True)


def fail(message: str) -> NoReturn:
    sys.stderr.write("connect-contract sandbox: " + message + "\n")
    sys.stderr.flush()
    os._exit(125)


def mount(source: str | None, target: str, kind: str | None, flags: int, data: str | None = None) -> None:
    result = libc.mount(
        source.encode() if source else None,
        target.encode(),
        kind.encode() if kind else None,
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, "mount " + target + ": " + os.strerror(code))


def read_only_everywhere() -> None:
    """Every mount read-only: one recursive mount_setattr (Linux 5.12+), else one remount per mount."""

    class MountAttr(ctypes.Structure):
        _fields_ = [(name, ctypes.c_uint64) for name in ("set", "clr", "prop", "userns")]

    attr = MountAttr(MOUNT_ATTR_RDONLY, 0, 0, 0)
    result = libc.syscall(
        ctypes.c_long(SYS_MOUNT_SETATTR),
        ctypes.c_int(AT_FDCWD),
        b"/",
        ctypes.c_uint(AT_RECURSIVE),
        ctypes.byref(attr),
        ctypes.c_size_t(ctypes.sizeof(attr)),
    )
    if result == 0:
        return
    with open("/proc/self/mountinfo") as table:
        mounts = [line.split() for line in table]
    for fields in mounts:
        point = fields[4].encode().decode("unicode_escape")
        options = fields[5].split(",")
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY
        for name, bit in (("nosuid", MS_NOSUID), ("nodev", MS_NODEV), ("noexec", MS_NOEXEC)):
            if name in options:
                flags |= bit  # locked flags must be kept, or the kernel refuses the remount
        try:
            mount(None, point, None, flags)
        except OSError as error:
            if error.errno not in (errno.EACCES, errno.EPERM, errno.ENOENT, errno.EINVAL):
                raise


def loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(probe.fileno(), SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(probe.fileno(), SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP))


def listeners(wanted: list[dict[str, Any]]) -> list[socket.socket]:
    sockets = []
    for spec in wanted:
        family = socket.AF_INET6 if ":" in spec["host"] else socket.AF_INET
        kind = socket.SOCK_DGRAM if spec.get("udp") else socket.SOCK_STREAM
        listener = socket.socket(family, kind)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((spec["host"], spec["port"]))
        if kind == socket.SOCK_STREAM:
            listener.listen(64)
        sockets.append(listener)
    return sockets


def lay_filesystem(config: dict[str, Any]) -> None:
    kept = []
    for path in config["keep"]:
        try:
            kept.append((path, os.open(path, os.O_PATH | os.O_CLOEXEC)))
        except OSError:
            continue
    read_only_everywhere()
    for place in config["hide"]:
        if os.path.isdir(place["path"]) and not os.path.islink(place["path"]):
            options = "mode=" + place.get("mode", "0755") + ",size=" + place["size"]
            mount("tmpfs", place["path"], "tmpfs", MS_NOSUID | MS_NODEV, options)
    for path, handle in kept:
        is_dir = os.path.isdir(f"/proc/self/fd/{handle}")
        if os.path.exists(path) and os.path.samefile(path, f"/proc/self/fd/{handle}"):
            continue  # not under anything hidden
        if is_dir:
            os.makedirs(path, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "a").close()
        mount(f"/proc/self/fd/{handle}", path, None, MS_BIND | MS_REC)
        os.close(handle)
    for path, text in config["files"].items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as written:
            written.write(text)
    for target, source in config["binds"].items():
        real = os.path.realpath(target)
        if not os.path.exists(real):
            os.makedirs(os.path.dirname(real), exist_ok=True)
            open(real, "a").close()
        mount(source, real, None, MS_BIND)
        mount(None, real, None, MS_REMOUNT | MS_BIND | MS_RDONLY)
    for place in config["hide"]:
        if place.get("read_only") and os.path.isdir(place["path"]):
            mount(None, place["path"], None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def start_function(config: dict[str, Any]) -> int:
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            os.chdir(config["cwd"])
            program = [config["setpriv"], *config["drop"], "--", *config["command"]]
            os.execvpe(program[0], program, config["environment"])
        except OSError as error:
            sys.stderr.write(f"connect-contract sandbox: cannot start {config['command'][0]}: {error}\n")
        os._exit(127)
    return pid


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    control.set_inheritable(False)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Python's default would let the function end its environment
    size = struct.unpack("!I", control.recv(4, socket.MSG_WAITALL))[0]
    config = json.loads(control.recv(size, socket.MSG_WAITALL))
    try:
        loopback_up()
        sockets = listeners(config["listen"])
        lay_filesystem(config)
    except OSError as error:
        fail(str(error))
    socket.send_fds(control, [b"listeners"], [listener.fileno() for listener in sockets])  # process.HANDSHAKE
    for listener in sockets:
        listener.close()
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    main_pid = start_function(config)
    while True:
        readable, _, _ = select.select([control.fileno(), wake_read], [], [], 1.0)
        if wake_read in readable:
            os.read(wake_read, 512)
        if control.fileno() in readable and not control.recv(1):
            os._exit(0)  # the gate is gone or stopped this environment: everything here ends with us
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            if pid == main_pid:
                control.sendall(f"exit {status}\n".encode())
                os._exit(0)


if __name__ == "__main__":
    main()
