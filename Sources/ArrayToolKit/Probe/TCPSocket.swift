// The one place where the probe calls the C socket API. A socket is non-blocking from the start
// and every wait goes through `poll(2)` with the time left before the phase's deadline, so a
// peer that never answers costs at most the timeout. `-1`/errno become a `SocketError`; EINTR is
// retried.

#if canImport(Glibc)
  import Glibc
#endif

/// Why a socket operation failed.
struct SocketError: Error, Equatable {
  /// What was being done: `connect`, `send`, `receive`.
  var operation: String
  /// `errno`, or `ETIMEDOUT` when the deadline passed first.
  var code: Int32

  /// The kind and message for the user, naming the address involved.
  func failure(at address: ResolvedAddress) -> ProbeFailure {
    let kind: ProbeErrorKind
    switch code {
    case ECONNREFUSED: kind = .connectionRefused
    case ETIMEDOUT: kind = .timeout
    case ENETUNREACH, EHOSTUNREACH: kind = .unreachable
    default: kind = .connectionFailed
    }
    let reason = code == ETIMEDOUT ? "no answer in time" : SystemError.describe(code)
    return ProbeFailure(kind, "\(address.endpoint): \(operation): \(reason)")
  }
}

/// A non-blocking TCP connection, closed when the value is released.
final class TCPSocket {
  let descriptor: Int32
  let address: ResolvedAddress

  private init(descriptor: Int32, address: ResolvedAddress) {
    self.descriptor = descriptor
    self.address = address
  }

  deinit {
    close(descriptor)
  }

  /// Connects to `address`, waiting at most until `deadline`.
  /// - Throws: `SocketError`; `ETIMEDOUT` when the handshake did not finish in time.
  static func connect(to address: ResolvedAddress, deadline: Deadline) throws -> TCPSocket {
    let type =
      Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
      | Int32(SOCK_CLOEXEC.rawValue)
    let descriptor = socket(address.addressFamily, type, Int32(IPPROTO_TCP))
    guard descriptor >= 0 else { throw SocketError(operation: "socket", code: errno) }
    let connection = TCPSocket(descriptor: descriptor, address: address)

    let result = address.withSocketAddress { Glibc.connect(descriptor, $0, $1) }
    if result == 0 { return connection }
    guard errno == EINPROGRESS || errno == EINTR else {
      throw SocketError(operation: "connect", code: errno)
    }
    try connection.wait(for: Int16(POLLOUT), until: deadline, operation: "connect")
    var pending: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &pending, &length) == 0 else {
      throw SocketError(operation: "connect", code: errno)
    }
    guard pending == 0 else { throw SocketError(operation: "connect", code: pending) }
    return connection
  }

  /// Sends all of `bytes` by `deadline`.
  func send(_ bytes: [UInt8], deadline: Deadline) throws {
    var offset = 0
    while offset < bytes.count {
      let sent = bytes.withUnsafeBytes {
        Glibc.send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
      }
      if sent >= 0 {
        offset += sent
      } else if errno == EAGAIN || errno == EINTR {
        try wait(for: Int16(POLLOUT), until: deadline, operation: "send")
      } else {
        throw SocketError(operation: "send", code: errno)
      }
    }
  }

  /// Reads what has arrived into `buffer`, waiting until `deadline` for something to arrive.
  /// - Returns: the number of bytes read; 0 when the peer closed the connection.
  func receive(into buffer: UnsafeMutableRawBufferPointer, deadline: Deadline) throws -> Int {
    while true {
      let received = recv(descriptor, buffer.baseAddress, buffer.count, 0)
      if received >= 0 { return received }
      guard errno == EAGAIN || errno == EINTR else {
        throw SocketError(operation: "receive", code: errno)
      }
      try wait(for: Int16(POLLIN), until: deadline, operation: "receive")
    }
  }

  /// Waits until the socket is ready for `events` or the deadline passes.
  private func wait(for events: Int16, until deadline: Deadline, operation: String) throws {
    var entry = pollfd(fd: descriptor, events: events, revents: 0)
    while true {
      guard !deadline.hasPassed else { throw SocketError(operation: operation, code: ETIMEDOUT) }
      let ready = poll(&entry, 1, deadline.pollMilliseconds)
      if ready > 0 { return }
      if ready < 0 && errno != EINTR { throw SocketError(operation: operation, code: errno) }
    }
  }
}
