// A compiler pass's view of schedlab: place 50 buffers, modulo-schedule a loop.
//
//   g++ -std=c++17 -O2 main.cpp -o schedlab_demo && ./schedlab_demo
//
// Needs `schedlab` importable by python3 (pip install schedlab) and nlohmann-json.
#include "schedlab_client.hpp"

#include <iostream>

int main() {
    schedlab::Client client({"python3", "-m", "schedlab.cli.main", "serve", "--family", "memory",
                             "--family", "pipelining"});

    // 50 buffers: live ranges [lower, upper) and sizes; the capacity is their peak load.
    nlohmann::json buffers = nlohmann::json::array();
    for (int i = 0; i < 50; ++i) {
        int lower = (i * 7) % 40, upper = lower + 3 + (i * 5) % 11, size = 16 * (1 + (i * 3) % 8);
        buffers.push_back({{"id", "t" + std::to_string(i)}, {"lower", lower}, {"upper", upper},
                           {"size", size}});
    }
    nlohmann::json alloc = {{"problem", "memory"}, {"kind", "allocation"}, {"name", "pass"},
                            {"buffers", buffers}};
    nlohmann::json placed = client.solve(alloc, "exact", 5.0);
    std::cout << "allocation: " << placed["status"].get<std::string>() << ", peak "
              << placed["objective"] << "\n";
    for (auto& [id, offset] : placed["solution"]["offsets"].items())
        std::cout << "  " << id << " @ " << offset << "\n";

    // A loop: S -> P -> O, O carried to the next iteration, on two units.
    nlohmann::json loop = {
        {"problem", "pipelining"},
        {"name", "loop"},
        {"machine", {{"name", "toy"}, {"units", {{"tensor", 1}, {"exp", 1}}}, {"warps", 1}}},
        {"ops", {{{"name", "S"}, {"unit", "tensor"}, {"busy", 1}},
                 {{"name", "P"}, {"unit", "exp"}, {"busy", 1}},
                 {{"name", "O"}, {"unit", "tensor"}, {"busy", 1}}}},
        {"edges", {{{"src", "S"}, {"dst", "P"}, {"delay", 1}, {"distance", 0}},
                   {{"src", "P"}, {"dst", "O"}, {"delay", 1}, {"distance", 0}},
                   {{"src", "O"}, {"dst", "O"}, {"delay", 1}, {"distance", 1}}}}};
    nlohmann::json sched = client.solve(loop, "cpsat", 5.0);
    std::cout << "modulo schedule: " << sched["status"].get<std::string>() << ", II "
              << sched["solution"]["ii"] << "\n";
    for (auto& op : sched["solution"]["ops"])
        std::cout << "  " << op["name"].get<std::string>() << " start " << op["start"] << "\n";

    try {
        client.solve({{"problem", "memory"}, {"kind", "allocation"}, {"buffers", 3}}, "exact");
    } catch (const schedlab::Error& e) {
        std::cout << "error as expected: " << e.what() << "\n";
    }
    return 0;
}
