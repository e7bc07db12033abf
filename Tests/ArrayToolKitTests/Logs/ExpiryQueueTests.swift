// The queue that tells the burst detector which open incident runs out of gap next: checked
// against a plain list kept sorted, through inserts, removals and postponements in a fixed
// pseudo-random order.

import Testing

@testable import ArrayToolKit

@Suite struct ExpiryQueueTests {
  /// A fixed sequence of numbers, so that a failure can be run again.
  private struct Sequence {
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    mutating func next(below bound: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(bound))
    }
  }

  @Test func theEarliestComesFirstAndTiesGoToTheLowerSlot() {
    var queue = ExpiryQueue()
    queue.insert(4, expiry: 500)
    queue.insert(1, expiry: 700)
    queue.insert(2, expiry: 500)
    queue.insert(0, expiry: 900)
    var order: [Int] = []
    while let first = queue.first {
      order.append(first.slot)
      queue.remove(first.slot)
    }
    #expect(order == [2, 4, 1, 0])
    #expect(queue.count == 0)
  }

  @Test func postponingTheFirstLetsTheNextOneAhead() {
    var queue = ExpiryQueue()
    queue.insert(0, expiry: 100)
    queue.insert(1, expiry: 200)
    queue.postponeFirst(to: 300)
    #expect(queue.first?.slot == 1)
    #expect(queue.first?.expiry == 200)
    queue.remove(1)
    #expect(queue.first?.slot == 0)
    #expect(queue.first?.expiry == 300)
  }

  @Test func removingASlotNotQueuedChangesNothing() {
    var queue = ExpiryQueue()
    queue.insert(3, expiry: 10)
    queue.remove(7)
    queue.remove(1)
    queue.remove(3)
    queue.remove(3)
    #expect(queue.count == 0)
    #expect(queue.first == nil)
  }

  @Test func agreesWithASortedListThroughTwentyThousandChanges() {
    var queue = ExpiryQueue()
    var reference: [Int: Int64] = [:]
    var numbers = Sequence()
    for _ in 0..<20_000 {
      let slot = numbers.next(below: 300)
      switch numbers.next(below: 3) {
      case 0 where reference[slot] == nil:
        let expiry = Int64(numbers.next(below: 1000))
        queue.insert(slot, expiry: expiry)
        reference[slot] = expiry
      case 1:
        queue.remove(slot)
        reference[slot] = nil
      default:
        guard let first = queue.first else { break }
        let later = first.expiry + Int64(numbers.next(below: 50))
        queue.postponeFirst(to: later)
        reference[first.slot] = later
      }
      let expected = reference.min { ($0.value, $0.key) < ($1.value, $1.key) }
      #expect(queue.first?.slot == expected?.key)
      #expect(queue.first?.expiry == expected?.value)
      #expect(queue.count == reference.count)
    }
  }
}
