package dev.hibachi.agent.exec;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.PointerByReference;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks users and groups up in the system's account databases through the C library
 * ({@code getpwnam_r} and friends), so that whatever NSS serves (files, LDAP, sssd) is seen as
 * {@code su} and {@code id} would see it.
 */
final class Accounts {

    private static final Logger log = LoggerFactory.getLogger(Accounts.class);

    private static final int ERANGE = 34;
    private static final long MAX_BUFFER = 1 << 20;
    /** What some NSS modules answer for "no such entry" (see getpwnam_r(3)), besides 0 and no result. */
    private static final java.util.Set<Integer> NOT_FOUND = java.util.Set.of(1, 2, 3, 9);

    /** A user: its ids and home directory. */
    record User(String name, int uid, int gid, String home) {}

    /** glibc's {@code struct passwd}. */
    @Structure.FieldOrder({"pw_name", "pw_passwd", "pw_uid", "pw_gid", "pw_gecos", "pw_dir", "pw_shell"})
    public static final class Passwd extends Structure {
        public String pw_name;
        public String pw_passwd;
        public int pw_uid;
        public int pw_gid;
        public String pw_gecos;
        public String pw_dir;
        public String pw_shell;
    }

    /** glibc's {@code struct group}. */
    @Structure.FieldOrder({"gr_name", "gr_passwd", "gr_gid", "gr_mem"})
    public static final class Group extends Structure {
        public String gr_name;
        public String gr_passwd;
        public int gr_gid;
        public Pointer gr_mem;
    }

    /** The C library calls used, bound by JNA. */
    interface LibC extends Library {
        int getpwnam_r(String name, Passwd pwd, Pointer buf, NativeLong size, PointerByReference result);

        int getpwuid_r(int uid, Passwd pwd, Pointer buf, NativeLong size, PointerByReference result);

        int getgrnam_r(String name, Group grp, Pointer buf, NativeLong size, PointerByReference result);

        int getgrgid_r(int gid, Group grp, Pointer buf, NativeLong size, PointerByReference result);

        int geteuid();

        String strerror(int errno);
    }

    private static final LibC C = load();

    private Accounts() {}

    private static LibC load() {
        if (!Platform.isLinux()) {
            return null;
        }
        try {
            return Native.load("c", LibC.class);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            log.info("the C library cannot be reached ({}): executor_config.su cannot be used", e.toString());
            return null;
        }
    }

    /** Whether users can be looked up here. */
    static boolean available() {
        return C != null;
    }

    /** The agent's effective user id. */
    static int effectiveUid() {
        return C.geteuid();
    }

    /**
     * The user named {@code nameOrId}, or whose uid it is when no user has that name.
     *
     * @throws IllegalStateException when the lookup itself fails (not for an unknown user)
     */
    static Optional<User> user(String nameOrId) {
        Optional<User> byName = userLookup(nameOrId, null);
        if (byName.isPresent() || !isId(nameOrId)) {
            return byName;
        }
        return userLookup(null, Integer.parseUnsignedInt(nameOrId));
    }

    /** The gid of the group named {@code nameOrId}, or whose gid it is when no group has that name. */
    static Optional<Integer> group(String nameOrId) {
        Optional<Integer> byName = groupLookup(nameOrId, null);
        if (byName.isPresent() || !isId(nameOrId)) {
            return byName;
        }
        return groupLookup(null, Integer.parseUnsignedInt(nameOrId));
    }

    private static boolean isId(String s) {
        return s.matches("[0-9]{1,9}");
    }

    private static Optional<User> userLookup(String name, Integer uid) {
        for (long size = 4096; ; size *= 2) {
            try (Memory buf = new Memory(size)) {
                Passwd pwd = new Passwd();
                PointerByReference result = new PointerByReference();
                int err = name != null
                        ? C.getpwnam_r(name, pwd, buf, new NativeLong(size), result)
                        : C.getpwuid_r(uid, pwd, buf, new NativeLong(size), result);
                if (err == ERANGE && size < MAX_BUFFER) {
                    continue;
                }
                if (err != 0 && !NOT_FOUND.contains(err)) {
                    throw new IllegalStateException("cannot look up user " + (name != null ? name : uid)
                            + ": " + C.strerror(err));
                }
                if (err != 0 || result.getValue() == null) {
                    return Optional.empty();
                }
                pwd.read();
                return Optional.of(new User(pwd.pw_name, pwd.pw_uid, pwd.pw_gid, pwd.pw_dir));
            }
        }
    }

    private static Optional<Integer> groupLookup(String name, Integer gid) {
        for (long size = 4096; ; size *= 2) {
            try (Memory buf = new Memory(size)) {
                Group grp = new Group();
                PointerByReference result = new PointerByReference();
                int err = name != null
                        ? C.getgrnam_r(name, grp, buf, new NativeLong(size), result)
                        : C.getgrgid_r(gid, grp, buf, new NativeLong(size), result);
                if (err == ERANGE && size < MAX_BUFFER) {
                    continue;
                }
                if (err != 0 && !NOT_FOUND.contains(err)) {
                    throw new IllegalStateException("cannot look up group " + (name != null ? name : gid)
                            + ": " + C.strerror(err));
                }
                if (err != 0 || result.getValue() == null) {
                    return Optional.empty();
                }
                grp.read();
                return Optional.of(grp.gr_gid);
            }
        }
    }
}
