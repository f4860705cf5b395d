// The resolver's table of queries by DNS ID (internal: lib/src/dns/dns_id_map.hpp),
// against std::unordered_map under random inserts and erases: runs that wrap
// around the end of the table, growth while full runs are in place, every ID.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <unordered_map>
#include <vector>

#include "dns/dns_id_map.hpp"

using netreactor::DnsIdMap;

namespace {

struct Item {
    int n = 0;
};

void expect_same(const DnsIdMap<Item>& map, const std::unordered_map<std::uint16_t, Item*>& model) {
    ASSERT_EQ(map.size(), model.size());
    for (std::uint32_t id = 0; id < 65536; ++id) {
        auto it = model.find(static_cast<std::uint16_t>(id));
        ASSERT_EQ(map.find(static_cast<std::uint16_t>(id)), it == model.end() ? nullptr : it->second) << id;
    }
}

}  // namespace

TEST(DnsIdMap, EmptyFindsNothingAndEraseIsHarmless) {
    DnsIdMap<Item> map;
    EXPECT_EQ(map.find(0), nullptr);
    map.erase(7);
    EXPECT_EQ(map.size(), 0U);
}

TEST(DnsIdMap, MatchesAnUnorderedMapUnderRandomUse) {
    std::mt19937 random(12345);
    std::vector<Item> items(65536);
    DnsIdMap<Item> map;
    std::unordered_map<std::uint16_t, Item*> model;
    // IDs crowded at the top and bottom of the home range make runs wrap.
    auto pick = [&] {
        switch (random() % 3) {
            case 0: return static_cast<std::uint16_t>(random() % 16);
            case 1: return static_cast<std::uint16_t>(511 - random() % 16);
            default: return static_cast<std::uint16_t>(random());
        }
    };
    for (int round = 0; round < 6; ++round) {
        std::size_t target = round % 2 == 0 ? 300 + 3000 * static_cast<std::size_t>(round) : 40;
        for (int op = 0; op < 20000; ++op) {
            std::uint16_t id = pick();
            bool grow = model.size() < target;
            if (model.contains(id)) {
                if (!grow || random() % 2 == 0) {
                    map.erase(id);
                    model.erase(id);
                }
            } else if (grow) {
                map.insert(id, &items[id]);
                model.emplace(id, &items[id]);
            } else {
                map.erase(id);  // not held: nothing changes
            }
        }
        expect_same(map, model);
    }
    for (auto [id, item] : std::unordered_map<std::uint16_t, Item*>(model)) {
        map.erase(id);
        model.erase(id);
    }
    expect_same(map, model);
}

TEST(DnsIdMap, HoldsEveryId) {
    std::vector<Item> items(65536);
    DnsIdMap<Item> map;
    for (std::uint32_t id = 0; id < 65536; ++id) map.insert(static_cast<std::uint16_t>(id), &items[id]);
    EXPECT_EQ(map.size(), 65536U);
    for (std::uint32_t id = 0; id < 65536; ++id) ASSERT_EQ(map.find(static_cast<std::uint16_t>(id)), &items[id]);
    for (std::uint32_t id = 0; id < 65536; id += 2) map.erase(static_cast<std::uint16_t>(id));
    for (std::uint32_t id = 0; id < 65536; ++id)
        ASSERT_EQ(map.find(static_cast<std::uint16_t>(id)), id % 2 ? &items[id] : nullptr);
}
