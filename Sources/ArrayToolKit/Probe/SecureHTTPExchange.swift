// HTTPS requests through URLSession (libcurl underneath on Linux), which brings certificate
// checks and TLS without the probe touching OpenSSL. The body is passed on piece by piece from
// the session's delegate, and the caller never waits past its deadline: a late task is cancelled.

import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// One HTTPS request and its classified outcome.
enum SecureHTTPExchange {
  /// Sends `request` to `endpoint` and passes the body to `body` as it arrives.
  /// - Throws: `ProbeFailure`; `tls` for certificate and handshake failures.
  static func send(
    _ request: HTTPRequest, to endpoint: ProbeEndpoint, deadline: Deadline,
    body: (UnsafeRawBufferPointer) throws -> Void
  ) throws -> HTTPResponseHead {
    guard let url = URL(string: endpoint.url(request.path)) else {
      throw ProbeFailure(.badResponse, "\(request.summary): cannot form a URL")
    }
    var urlRequest = URLRequest(url: url)
    urlRequest.httpMethod = request.method
    urlRequest.setValue("arraytool/\(ArrayTool.version)", forHTTPHeaderField: "User-Agent")
    if let authorization = endpoint.authorization {
      urlRequest.setValue(authorization, forHTTPHeaderField: "Authorization")
    }
    if let contentType = request.contentType {
      urlRequest.setValue(contentType, forHTTPHeaderField: "Content-Type")
    }
    if !request.body.isEmpty { urlRequest.httpBody = Data(request.body) }

    // URLSession on Linux cuts its timeouts to whole seconds (1.9 becomes 1), so it gets the
    // time left rounded up, and the loop below holds the exact deadline by cancelling the task.
    let configuration = URLSessionConfiguration.ephemeral
    let seconds = max(deadline.remaining.rounded(.up), 1)
    configuration.timeoutIntervalForRequest = seconds
    configuration.timeoutIntervalForResource = seconds
    let receiver = Receiver()
    let session = URLSession(configuration: configuration, delegate: receiver, delegateQueue: nil)
    defer { session.invalidateAndCancel() }
    let task = session.dataTask(with: urlRequest)
    task.resume()

    // Pieces are handed over here, on the calling thread, so that `body` needs no locking.
    while true {
      let (pieces, outcome) = receiver.take(until: deadline)
      for piece in pieces {
        try piece.withUnsafeBytes { try body($0) }
      }
      guard let outcome else {
        if deadline.hasPassed {
          task.cancel()
          throw ProbeFailure(
            .timeout, "\(request.summary): no complete answer within the time limit")
        }
        continue
      }
      switch outcome {
      case .success(let head): return head
      case .failure(let error): throw classify(error, request: request)
      }
    }
  }

  /// Maps a URLSession error to a kind. libcurl's certificate failures arrive on Linux with a
  /// generic code, so the message is looked at too.
  static func classify(_ error: Error, request: HTTPRequest) -> ProbeFailure {
    let nsError = error as NSError
    var text = nsError.localizedDescription
    let kind: ProbeErrorKind
    switch nsError.code {
    case NSURLErrorTimedOut:
      kind = .timeout
      text = "no complete answer within the time limit"
    case NSURLErrorCannotConnectToHost:
      kind = .connectionRefused
    case NSURLErrorCannotFindHost, NSURLErrorDNSLookupFailed:
      kind = .dnsNotFound
    case NSURLErrorClientCertificateRequired...NSURLErrorSecureConnectionFailed:
      kind = .tls
    default:
      let lower = text.lowercased()
      let tlsWords = ["ssl", "tls", "certificate"]
      kind = tlsWords.contains(where: lower.contains) ? .tls : .connectionFailed
    }
    return ProbeFailure(kind, "\(request.summary): \(text)")
  }
}

/// Collects what the session's delegate queue delivers until the caller takes it.
private final class Receiver: NSObject, URLSessionDataDelegate, @unchecked Sendable {
  private let condition = NSCondition()
  private var pieces: [Data] = []
  private var head: HTTPResponseHead?
  private var outcome: Result<HTTPResponseHead, Error>?

  /// Waits until there is body to hand over, the task ended, or the deadline passed.
  func take(until deadline: Deadline) -> ([Data], Result<HTTPResponseHead, Error>?) {
    condition.lock()
    defer { condition.unlock() }
    while pieces.isEmpty && outcome == nil && !deadline.hasPassed {
      _ = condition.wait(until: Date(timeIntervalSinceNow: deadline.remaining))
    }
    let taken = pieces
    pieces.removeAll()
    // The outcome is handed over only once every piece before it has been taken.
    return (taken, taken.isEmpty ? outcome : nil)
  }

  func urlSession(
    _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
  ) {
    if let http = response as? HTTPURLResponse {
      var headers: [String: String] = [:]
      for (name, value) in http.allHeaderFields {
        headers["\(name)".lowercased()] = "\(value)"
      }
      let reason = HTTPURLResponse.localizedString(forStatusCode: http.statusCode)
      let head = HTTPResponseHead(status: http.statusCode, reason: reason, headers: headers)
      update { $0.head = head }
    }
    completionHandler(.allow)
  }

  func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
    update { $0.pieces.append(data) }
  }

  func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
    update { receiver in
      if let error {
        receiver.outcome = .failure(error)
      } else if let head = receiver.head {
        receiver.outcome = .success(head)
      } else {
        receiver.outcome = .failure(URLError(.badServerResponse))
      }
    }
  }

  private func update(_ change: (Receiver) -> Void) {
    condition.lock()
    change(self)
    condition.broadcast()
    condition.unlock()
  }
}
