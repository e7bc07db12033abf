// Turns SIGINT and SIGTERM into calls on a queue instead of an abrupt end, so that a long job can
// stop cleanly: the first signal asks it to stop, the second to stop waiting.

import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Watches SIGINT and SIGTERM while it lives.
public final class InterruptHandler {
  private var sources: [DispatchSourceSignal] = []
  private let lock = NSLock()
  private var received = 0

  /// Signals received so far.
  public var count: Int {
    lock.lock()
    defer { lock.unlock() }
    return received
  }

  /// - Parameters:
  ///   - first: called on the first signal.
  ///   - again: called on every later signal.
  public init(first: @escaping () -> Void, again: @escaping () -> Void) {
    let queue = DispatchQueue(label: "arraytool.signals")
    for number in [SIGINT, SIGTERM] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
      source.setEventHandler { [unowned self] in
        lock.lock()
        received += 1
        let number = received
        lock.unlock()
        if number == 1 { first() } else { again() }
      }
      source.resume()
      sources.append(source)
    }
  }

  /// Stops watching and restores the default actions.
  public func cancel() {
    for source in sources { source.cancel() }
    sources.removeAll()
    signal(SIGINT, SIG_DFL)
    signal(SIGTERM, SIG_DFL)
  }

  deinit { cancel() }
}

/// A long run that SIGINT and SIGTERM stop cleanly: an import, a replay.
public protocol Interruptible: AnyObject, Sendable {
  /// The first signal: stop at the next boundary and finish what is in flight.
  func stop()
  /// A later signal: stop waiting for what is in flight.
  func stopRetrying()
}

extension InterruptHandler {
  /// Stops `run` on the first signal, saying `message`, and stops its retries on the next.
  public convenience init(
    stopping run: Interruptible, say: @escaping (String) -> Void, message: String
  ) {
    self.init {
      run.stop()
      say(message)
    } again: {
      run.stopRetrying()
    }
  }
}
