// schedlab_client.hpp: a minimal C++17 client of `schedlab serve` (JSON lines over pipes).
//
// One header, POSIX only, JSON by nlohmann-json (Debian: nlohmann-json3-dev). A compiler pass
// can copy it: start the service once, then send thousands of requests.
//
//   schedlab::Client client;                       // starts `python3 -m schedlab.cli.main serve`
//   nlohmann::json r = client.solve(instance, "exact", 1.0);
//   r["solution"]["offsets"]  ...
//
// Errors of the service (bad instance, unknown method, ...) are thrown as schedlab::Error
// with the service's type, message, file, line and JSON path.
#pragma once

#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace schedlab {

struct Error : std::runtime_error {
    std::string type, file, path;
    long line = 0;
    explicit Error(const nlohmann::json& e)
        : std::runtime_error(e.value("type", std::string("Error")) + ": " +
                             e.value("message", std::string())),
          type(e.value("type", std::string())) {
        if (e.contains("file") && e["file"].is_string()) file = e["file"];
        if (e.contains("path") && e["path"].is_string()) path = e["path"];
        if (e.contains("line") && e["line"].is_number_integer()) line = e["line"];
    }
};

class Client {
  public:
    // Starts the service: `argv` is the command (default: python3 -m schedlab.cli.main serve).
    explicit Client(std::vector<std::string> argv = {"python3", "-m", "schedlab.cli.main",
                                                     "serve"}) {
        int to_child[2], from_child[2];
        if (pipe(to_child) != 0 || pipe(from_child) != 0) throw std::runtime_error("pipe failed");
        pid_ = fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            dup2(to_child[0], 0);
            dup2(from_child[1], 1);
            close(to_child[1]);
            close(from_child[0]);
            std::vector<char*> args;
            for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            execvp(args[0], args.data());
            _exit(127);
        }
        close(to_child[0]);
        close(from_child[1]);
        out_ = fdopen(to_child[1], "w");
        in_ = fdopen(from_child[0], "r");
        request({{"op", "ping"}});  // answered once the service has warmed up
    }

    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    ~Client() {
        try {
            request({{"op", "shutdown"}});
        } catch (...) {
        }
        if (out_) fclose(out_);
        if (in_) fclose(in_);
        if (pid_ > 0) waitpid(pid_, nullptr, 0);
    }

    // Sends one request (an "id" is added) and returns its "result"; throws schedlab::Error.
    nlohmann::json request(nlohmann::json req) {
        const long id = ++last_id_;
        req["id"] = id;
        const std::string line = req.dump() + "\n";
        if (fputs(line.c_str(), out_) < 0 || fflush(out_) != 0)
            throw std::runtime_error("schedlab serve is gone");
        for (;;) {  // one request at a time: the next answer is ours
            std::string got = read_line();
            nlohmann::json resp = nlohmann::json::parse(got);
            if (!resp.contains("id") || resp["id"] != id) continue;
            if (resp.contains("error")) throw Error(resp["error"]);
            return resp["result"];
        }
    }

    // Solves an instance (the family's JSON) with a method; returns the Result as JSON.
    nlohmann::json solve(const nlohmann::json& instance, const std::string& method = "auto",
                         double time_limit = -1.0, int seed = 0) {
        nlohmann::json req = {{"op", "solve"}, {"instance", instance}, {"method", method},
                              {"seed", seed}};
        if (time_limit > 0) req["time_limit"] = time_limit;
        return request(req);
    }

  private:
    std::string read_line() {
        std::string s;
        int c;
        while ((c = fgetc(in_)) != EOF && c != '\n') s.push_back(static_cast<char>(c));
        if (c == EOF && s.empty()) throw std::runtime_error("schedlab serve closed its output");
        return s;
    }

    pid_t pid_ = -1;
    FILE* out_ = nullptr;
    FILE* in_ = nullptr;
    long last_id_ = 0;
};

}  // namespace schedlab
