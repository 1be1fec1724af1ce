import CSystemd

/// Listening sockets passed by systemd socket activation (`LISTEN_FDS`, from fd 3).
public enum SocketActivation {
    /// The first passed file descriptor, or `nil` when the process was not socket-activated.
    /// The `LISTEN_*` variables are removed so children do not inherit them.
    public static func listeningDescriptor() -> Int32? {
        let count = sd_listen_fds(1)
        return count >= 1 ? 3 : nil
    }
}
