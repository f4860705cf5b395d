// Internal: the queries in flight by their 16-bit DNS ID.
//
// An open-addressing table (linear probing, deletion by backward shift, so
// no tombstones): one probe or two at the usual load, and no node allocated
// per query, where std::unordered_map cost a malloc and a free per query and
// about 250 instructions in all at 300 in flight (docs/benchmarks.md). IDs
// are random, so the ID itself is a good enough hash. It grows (doubling) to
// keep the load at most one half, and never shrinks: its size is that of the
// most queries ever in flight at once, at most 65,536.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace netreactor {

template <class Value>
class DnsIdMap {
public:
    std::size_t size() const noexcept { return size_; }

    // The value held for `id`, or null.
    Value* find(std::uint16_t id) const noexcept {
        if (slots_.empty()) return nullptr;
        for (std::size_t i = id & mask_;; i = (i + 1) & mask_) {
            const Slot& slot = slots_[i];
            if (slot.value == nullptr) return nullptr;
            if (slot.id == id) return slot.value;
        }
    }

    // Adds `value` (not null) for `id`, which must not be held already.
    void insert(std::uint16_t id, Value* value) {
        if ((size_ + 1) * 2 > slots_.size()) grow();
        place(id, value);
        size_++;
    }

    // Removes `id`, if held.
    void erase(std::uint16_t id) noexcept {
        if (slots_.empty()) return;
        std::size_t hole = id & mask_;
        for (;; hole = (hole + 1) & mask_) {
            if (slots_[hole].value == nullptr) return;
            if (slots_[hole].id == id) break;
        }
        // Backward shift: move up every later entry of the run that may sit
        // at the hole (its home slot is not between the hole and itself).
        for (std::size_t i = (hole + 1) & mask_; slots_[i].value != nullptr; i = (i + 1) & mask_) {
            std::size_t home = slots_[i].id & mask_;
            bool home_after_hole = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
            if (home_after_hole) continue;
            slots_[hole] = slots_[i];
            hole = i;
        }
        slots_[hole] = Slot{};
        size_--;
    }

private:
    struct Slot {
        Value* value = nullptr;  // null: free
        std::uint16_t id = 0;
    };

    void place(std::uint16_t id, Value* value) noexcept {
        std::size_t i = id & mask_;
        while (slots_[i].value != nullptr) i = (i + 1) & mask_;
        slots_[i] = Slot{value, id};
    }

    void grow() {
        std::vector<Slot> old(slots_.empty() ? std::size_t{512} : slots_.size() * 2);
        old.swap(slots_);
        mask_ = slots_.size() - 1;
        for (const Slot& slot : old)
            if (slot.value != nullptr) place(slot.id, slot.value);
    }

    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
};

}  // namespace netreactor
