// A bounded first-in first-out queue between threads: producers wait while it is full, consumers
// while it is empty, and closing it lets consumers drain what is left and stop.

import Foundation

/// A bounded queue for handing work from decoder threads to sender threads.
public final class BlockingQueue<Element>: @unchecked Sendable {
  private let condition = NSCondition()
  /// Popped slots are cleared at once so that a consumed item is freed, not kept until the
  /// array is compacted.
  private var items: [Element?] = []
  private var head = 0
  private let capacity: Int
  private var closed = false

  public init(capacity: Int) {
    self.capacity = max(1, capacity)
  }

  /// Adds `item`, waiting while the queue is full. Returns false when the queue was closed.
  @discardableResult
  public func push(_ item: Element) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    while items.count - head >= capacity && !closed { condition.wait() }
    guard !closed else { return false }
    items.append(item)
    condition.broadcast()
    return true
  }

  /// The oldest item, waiting while the queue is empty; nil once it is closed and drained.
  public func pop() -> Element? {
    condition.lock()
    defer { condition.unlock() }
    while items.count == head && !closed { condition.wait() }
    guard items.count > head else { return nil }
    let item = items[head]
    items[head] = nil
    head += 1
    if head > 64 && head * 2 > items.count {
      items.removeFirst(head)
      head = 0
    }
    condition.broadcast()
    return item!
  }

  /// No more pushes; consumers get what is left, then nil.
  public func close() {
    condition.lock()
    closed = true
    condition.broadcast()
    condition.unlock()
  }

  /// Items waiting.
  public var count: Int {
    condition.lock()
    defer { condition.unlock() }
    return items.count - head
  }
}
