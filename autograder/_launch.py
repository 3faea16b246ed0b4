"""Start a student's kernel with no rights: the last step before ipykernel.

Run as ``python -I -S _launch.py CONFIG.json [extra kernel arguments]``,
inside the bubblewrap jail when there is one (see ``sandbox.py``), still as
the user that started the grader. Standard library only, and no ``site``:
nothing the student can influence is imported here. In order:

1. resource limits (``setrlimit``): address space, CPU seconds, processes,
   file size, open files, no core dumps;
2. when running as root: drop every group, then switch to the kernel's own
   user id, which no other process has (the process limit is counted per
   user, and root is exempt from it);
3. ``PR_SET_PDEATHSIG``: the kernel is killed if the grader dies;
4. ``PR_SET_NO_NEW_PRIVS`` and a seccomp filter that refuses to create
   processes (fork, vfork, and clone without CLONE_THREAD): threads work,
   ``os.fork()`` and ``subprocess`` fail with ``PermissionError``;
5. ``execve`` ipykernel with a clean environment.
"""
import ctypes
import json
import os
import resource
import signal
import struct
import sys

PR_SET_PDEATHSIG = 1
PR_SET_SECCOMP = 22
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_MODE_FILTER = 2

# classic BPF, as the kernel's seccomp filter reads it
LD_ABS_W = 0x20        # BPF_LD | BPF_W | BPF_ABS
JEQ_K = 0x15           # BPF_JMP | BPF_JEQ | BPF_K
JGE_K = 0x35           # BPF_JMP | BPF_JGE | BPF_K
JSET_K = 0x45          # BPF_JMP | BPF_JSET | BPF_K
RET_K = 0x06           # BPF_RET | BPF_K
ALLOW = 0x7FFF0000     # SECCOMP_RET_ALLOW
ERRNO = 0x00050000     # SECCOMP_RET_ERRNO | errno
EPERM, ENOSYS = 1, 38
CLONE_THREAD = 0x00010000

# (audit arch, clone, clone3, other process-creating syscalls)
ARCHES = {
    "x86_64": (0xC000003E, 56, 435, (57, 58)),   # fork, vfork
    "aarch64": (0xC00000B7, 220, 435, ()),
}


def no_fork_filter(machine):
    """The seccomp program as ``(code, jt, jf, k)`` tuples, or None for an
    architecture it does not know.

    clone3 answers ENOSYS (glibc then falls back to clone, whose flags a
    classic BPF filter can read); clone is allowed only with CLONE_THREAD;
    fork and vfork answer EPERM; so does everything of another ABI.
    """
    if machine not in ARCHES:
        return None
    arch, clone, clone3, others = ARCHES[machine]
    # (code, jump-if-true label or 0, jump-if-false label or 0, k); labels
    # name the three endings and the clone check, resolved below.
    code = [
        (LD_ABS_W, 0, 0, 4),                       # A = audit arch
        (JEQ_K, 0, "nosys", arch),
        (LD_ABS_W, 0, 0, 0),                       # A = syscall number
    ]
    if machine == "x86_64":
        code.append((JGE_K, "nosys", 0, 0x40000000))  # the x32 ABI
    code += [(JEQ_K, "perm", 0, nr) for nr in others]
    code += [
        (JEQ_K, "nosys", 0, clone3),
        (JEQ_K, 0, "allow", clone),
        (LD_ABS_W, 0, 0, 16),                      # A = clone flags (low 32 bits)
        (JSET_K, "allow", "perm", CLONE_THREAD),
        ("allow", RET_K, 0, 0, ALLOW),
        ("perm", RET_K, 0, 0, ERRNO | EPERM),
        ("nosys", RET_K, 0, 0, ERRNO | ENOSYS),
    ]
    labels = {ins[0]: i for i, ins in enumerate(code) if isinstance(ins[0], str)}
    program = []
    for i, ins in enumerate(code):
        if isinstance(ins[0], str):
            ins = ins[1:]
        op, jt, jf, k = ins
        jt = labels[jt] - i - 1 if isinstance(jt, str) else jt
        jf = labels[jf] - i - 1 if isinstance(jf, str) else jf
        program.append((op, jt, jf, k))
    return program


def install_no_fork_filter():
    """Refuse process creation from now on (this process and its threads)."""
    program = no_fork_filter(os.uname().machine)
    if program is None:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    raw = b"".join(struct.pack("HBBI", *ins) for ins in program)
    buf = ctypes.create_string_buffer(raw, len(raw))

    class FProg(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = FProg(len(program), ctypes.cast(buf, ctypes.c_void_p))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")
    return True


def main(argv):
    with open(argv[1], encoding="utf-8") as f:
        config = json.load(f)
    for name, value in config.get("rlimits", {}).items():
        limit = getattr(resource, f"RLIMIT_{name}")
        resource.setrlimit(limit, (value, value))
    uid, gid = config.get("uid"), config.get("gid")
    if uid is not None and os.getuid() == 0:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)  # drops every capability
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # after setuid, which clears it
    for path in config.get("mkdirs", []):
        os.makedirs(path, exist_ok=True)
    if config.get("seccomp"):
        install_no_fork_filter()
    os.chdir(config["cwd"])
    args = config["argv"] + argv[2:]
    os.execve(args[0], args, config["env"])


if __name__ == "__main__":
    main(sys.argv)
