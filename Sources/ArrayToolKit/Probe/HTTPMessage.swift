// The two halves of an HTTP exchange as the probe needs them: a request small enough to write in
// one go, and the head of a response, whose body is handed on in pieces as it arrives.

/// A request to one of the servers.
struct HTTPRequest: Equatable {
  var method: String
  /// The path with its query, already percent-encoded, such as `/api/v1/export?match[]=...`.
  var path: String
  var contentType: String?
  var body: [UInt8] = []

  static func get(_ path: String) -> HTTPRequest {
    HTTPRequest(method: "GET", path: path)
  }

  /// `GET /-/healthy`, for messages.
  var summary: String {
    "\(method) \(path)"
  }
}

/// The status line and headers of a response.
struct HTTPResponseHead: Equatable {
  var status: Int
  var reason: String
  /// Header values by lower-cased name; a repeated header keeps its last value.
  var headers: [String: String]

  var isSuccess: Bool {
    (200..<300).contains(status)
  }
}

/// The server sent something that is not HTTP/1.x, or broke off in the middle of a message.
struct HTTPProtocolError: Error, Equatable {
  var reason: String

  init(_ reason: String) {
    self.reason = reason
  }
}
