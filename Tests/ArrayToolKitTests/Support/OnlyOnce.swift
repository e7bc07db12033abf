// A flag that lets exactly one caller through, for `stop()` methods that a test, a `defer` and
// a deinit may all call, from different threads.

import Foundation

/// Says yes to the first `claim()` only.
final class OnlyOnce: @unchecked Sendable {
  private let lock = NSLock()
  private var claimed = false

  /// `true` for the first call, `false` for every later one.
  func claim() -> Bool {
    lock.lock()
    defer { lock.unlock() }
    if claimed { return false }
    claimed = true
    return true
  }

  /// Whether `claim()` has been called.
  var isClaimed: Bool {
    lock.lock()
    defer { lock.unlock() }
    return claimed
  }
}
