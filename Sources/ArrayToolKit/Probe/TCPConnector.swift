// The TCP step of a probe: tries the resolved addresses one after the other until one accepts,
// the way a client library would, and explains every refusal on the way when none does.

/// Connects to the first address that answers.
struct TCPConnector {
  /// The connection made, and what happened to the addresses tried before it.
  struct Connection {
    var socket: TCPSocket
    /// One line per address that failed first, such as `[::1]:8429: connect: connection refused`.
    var earlierFailures: [String]
  }

  /// Tries `addresses` in order, all within `deadline`.
  ///
  /// Each address gets an equal share of the time left, so that one address that swallows its
  /// packets cannot use up the time of those after it; the last one gets all that is left.
  /// - Throws: `ProbeFailure` naming every address tried; its kind is the most telling one met:
  ///   a refusal (the host is there, the port is closed) before a timeout or an unreachable
  ///   network.
  static func connect(to addresses: [ResolvedAddress], deadline: Deadline) throws -> Connection {
    var failures: [ProbeFailure] = []
    for (index, address) in addresses.enumerated() {
      let share = deadline.remaining / Double(addresses.count - index)
      do {
        let socket = try TCPSocket.connect(to: address, deadline: Deadline(seconds: share))
        return Connection(socket: socket, earlierFailures: failures.map(\.message))
      } catch let error as SocketError {
        failures.append(error.failure(at: address))
      }
    }
    let order: [ProbeErrorKind] = [.connectionRefused, .timeout, .unreachable, .connectionFailed]
    let kind = order.first { kind in failures.contains { $0.kind == kind } } ?? .connectionFailed
    let message =
      failures.isEmpty
      ? "no address to connect to" : failures.map(\.message).joined(separator: "; ")
    throw ProbeFailure(kind, message)
  }
}
