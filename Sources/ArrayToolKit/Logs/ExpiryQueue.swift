// When each open group of the burst detector runs out of gap, kept as a binary min-heap indexed
// by slot, so that finding the next group to close, closing one out of turn and opening one each
// cost O(log n) however many groups are open. An error storm whose messages all differ keeps
// thousands of groups open at once, and scanning them all at every expiry made the analysis
// quadratic in the number of errors.
//
// A group's expiry only moves later (its latest error only grows), so the heap may hold an
// earlier time than the true one: the detector corrects it when that time comes, and the work a
// group's errors cost stays O(1) until then.

/// Slots ordered by expiry time, the earliest first; ties go to the lower slot.
struct ExpiryQueue {
  private struct Entry {
    var expiry: Int64
    var slot: Int
  }

  private var heap: [Entry] = []
  /// Where each slot is in `heap`, or -1 when it is not queued.
  private var positions: [Int] = []

  var count: Int { heap.count }

  /// The earliest queued slot and its expiry.
  var first: (slot: Int, expiry: Int64)? {
    heap.first.map { ($0.slot, $0.expiry) }
  }

  /// Queues `slot`, which must not be queued yet, to expire at `expiry`.
  mutating func insert(_ slot: Int, expiry: Int64) {
    if slot >= positions.count {
      positions.append(contentsOf: repeatElement(-1, count: slot + 1 - positions.count))
    }
    heap.append(Entry(expiry: expiry, slot: slot))
    positions[slot] = heap.count - 1
    siftUp(heap.count - 1)
  }

  /// Moves the earliest slot to `expiry`, which is not earlier than its queued one.
  mutating func postponeFirst(to expiry: Int64) {
    guard !heap.isEmpty else { return }
    heap[0].expiry = expiry
    siftDown(0)
  }

  /// Takes `slot` out of the queue; nothing happens when it is not queued.
  mutating func remove(_ slot: Int) {
    guard slot < positions.count, positions[slot] >= 0 else { return }
    let position = positions[slot]
    positions[slot] = -1
    let last = heap.removeLast()
    guard position < heap.count else { return }
    heap[position] = last
    positions[last.slot] = position
    siftDown(position)
    siftUp(position)
  }

  private static func precedes(_ a: Entry, _ b: Entry) -> Bool {
    (a.expiry, a.slot) < (b.expiry, b.slot)
  }

  private mutating func siftUp(_ start: Int) {
    var child = start
    while child > 0 {
      let parent = (child - 1) / 2
      guard ExpiryQueue.precedes(heap[child], heap[parent]) else { return }
      swapAt(child, parent)
      child = parent
    }
  }

  private mutating func siftDown(_ start: Int) {
    var parent = start
    while true {
      var earliest = parent
      let left = 2 * parent + 1
      if left < heap.count && ExpiryQueue.precedes(heap[left], heap[earliest]) { earliest = left }
      let right = left + 1
      if right < heap.count && ExpiryQueue.precedes(heap[right], heap[earliest]) {
        earliest = right
      }
      guard earliest != parent else { return }
      swapAt(parent, earliest)
      parent = earliest
    }
  }

  private mutating func swapAt(_ a: Int, _ b: Int) {
    heap.swapAt(a, b)
    positions[heap[a].slot] = a
    positions[heap[b].slot] = b
  }
}
