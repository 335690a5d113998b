package org.iasplatform.sshsupport;

import java.util.ArrayList;
import java.util.List;

/** Which authentication methods to offer (jsch's {@code PreferredAuthentications}). */
public final class SshAuth {
    private SshAuth() {
    }

    /**
     * Only the methods configured: public key when a key was given and could be loaded, password (and
     * keyboard-interactive) when a password was given; with neither given, both are tried (and fail).
     *
     * @param keyGiven      whether a private key file was given
     * @param keyLoaded     whether it could be loaded
     * @param passwordGiven whether a password was given
     */
    public static String methods(boolean keyGiven, boolean keyLoaded, boolean passwordGiven) {
        if (!keyGiven && !passwordGiven) {
            return "publickey,password";
        }
        List<String> methods = new ArrayList<>();
        if (keyLoaded) {
            methods.add("publickey");
        }
        if (passwordGiven) {
            methods.add("password");
            methods.add("keyboard-interactive");
        }
        return methods.isEmpty() ? "publickey" : String.join(",", methods);
    }
}
