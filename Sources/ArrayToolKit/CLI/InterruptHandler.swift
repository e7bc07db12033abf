// Turns SIGINT and SIGTERM into calls on a queue instead of an abrupt end, so that a long job can
// stop cleanly: the first signal asks it to stop, the second to stop waiting.

import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Watches SIGINT and SIGTERM while it lives. One handler serves a whole run, its actions
/// changed as the run goes on (`handle(first:again:)`): a second handler made after the first
/// was cancelled may never see a signal, as libdispatch can leave the signal ignored and
/// unblocked once the first one's sources are gone.
public final class InterruptHandler {
  private var sources: [DispatchSourceSignal] = []
  private let lock = NSLock()
  private var received = 0
  private var first: () -> Void
  private var again: () -> Void

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
    self.first = first
    self.again = again
    let queue = DispatchQueue(label: "arraytool.signals")
    for number in [SIGINT, SIGTERM] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
      source.setEventHandler { [unowned self] in
        lock.lock()
        received += 1
        let number = received
        let action = number == 1 ? self.first : self.again
        lock.unlock()
        action()
      }
      source.resume()
      sources.append(source)
    }
  }

  /// From now on calls `first` on the first signal and `again` on every later one.
  public func handle(first: @escaping () -> Void, again: @escaping () -> Void) {
    lock.lock()
    self.first = first
    self.again = again
    lock.unlock()
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
    self.init(first: {}, again: {})
    handle(stopping: run, say: say, message: message)
  }

  /// From now on stops `run` on the first signal, saying `message`, and its retries on the next.
  public func handle(stopping run: Interruptible, say: @escaping (String) -> Void, message: String) {
    handle {
      run.stop()
      say(message)
    } again: {
      run.stopRetrying()
    }
  }
}
