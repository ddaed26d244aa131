//! The bridge's error type.

/// What starting or running the bridge can fail with.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// Only loopback addresses are served: the token must not be reachable from the network.
    #[error(
        "refusing to listen on {0}: the bridge serves loopback addresses only (127.0.0.0/8, ::1)"
    )]
    NotLoopback(std::net::IpAddr),
    /// The listening socket.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Serving stopped with an error.
    #[error("the bridge stopped")]
    Serve(#[source] std::io::Error),
    /// An origin on the allow-list that is not `scheme://host[:port]`.
    #[error("`{0}` is not an origin (scheme://host[:port])")]
    BadOrigin(String),
    /// The token could not be set up.
    #[error("cannot set up the token: {0}")]
    Token(String),
    /// Writing the extension's files.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file or directory.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The test CA of the demo.
    #[error("cannot set up the demo bank's CA: {0}")]
    Ca(String),
}
