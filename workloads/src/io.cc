// io.cc: I/O-bound workloads. Every blocking system call runs inside AllowThreads, as CPython's
// Py_BEGIN_ALLOW_THREADS wraps read(), write(), sockets and sleep: the thread detaches (releasing
// the global lock where it is on) and touches no object until it attaches again. Buffers handed to
// the kernel are plain native memory, filled from objects before detaching and turned back into
// objects after attaching, as a C extension does.
//
//   sleep          time.sleep(us) per unit: pure blocking, scales in every variant.
//   pipe_rw        os.write then os.read on the thread's own pipe: short calls that never block,
//                  each releasing and retaking the lock (the cost the convoy effect multiplies).
//   pipe_pingpong  threads in pairs exchange a message per round over pipes, each waiting for its
//                  partner (an odd thread out talks to itself); latency-bound.
//   tcp_echo       each thread its own TCP connection to an in-process echo server on 127.0.0.1.
//                  The server's threads are native threads outside the runtime (like a separate
//                  process).
//   file_read      read and parse a file the workload wrote first (served from the page cache).
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

#include "ftb/std_mutex.h"
#include "workload_support.h"

FTB_NAMESPACE_BEGIN
namespace workloads {
namespace {

[[noreturn]] void ThrowErrno(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

// Native helpers: call them detached only (they touch no object).
void WriteAll(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      ThrowErrno("write");
    }
    data += w;
    n -= static_cast<std::size_t>(w);
  }
}
void ReadExactly(int fd, char* data, std::size_t n) {
  while (n > 0) {
    ssize_t r = ::read(fd, data, n);
    if (r < 0) {
      if (errno == EINTR) continue;
      ThrowErrno("read");
    }
    if (r == 0) throw std::runtime_error("unexpected end of file");
    data += r;
    n -= static_cast<std::size_t>(r);
  }
}

// The message for unit u, built from objects (attached) into native memory.
std::string Message(std::int64_t u) {
  Ref uu = Int(u), sq = Int(u * u);
  Ref msg = Format("unit {} squared {}", std::span<Object* const>(std::array{uu.get(), sq.get()}));
  return std::string(AsStr(msg.get()));
}

// Back from native memory into an object; the unit's result.
std::uint64_t Consume(std::string_view received, std::int64_t u) {
  Ref back = Str(received);
  return Mix(Fnv1a(AsStr(back.get())), u);
}

// ---- sleep --------------------------------------------------------------------------------------

class SleepWorkload : public UnitWorkload {
 public:
  using UnitWorkload::UnitWorkload;
  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    auto duration = std::chrono::microseconds(IntKnob("sleep_us"));
    std::uint64_t sum = 0;
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      LatencyProbe latency(out);
      Ref v = Int(u);
      {
        AllowThreads detached;  // time.sleep
        std::this_thread::sleep_for(duration);
      }
      sum += Mix(static_cast<std::uint64_t>(AsInt(v.get())) * 2 + 1, u);
      ++out.work_units;
      EvalBreakerCheck();
    }
    return sum;
  }
};

FTB_REGISTER_WORKLOAD(SleepWorkload, {
    .name = "sleep",
    .category = "io",
    .description = "time.sleep per unit, the lock released while asleep",
    .origin = "",
    .default_size = 300,
    .validate_size = 4,
    .knobs = {{"sleep_us", 250, 0, 1e6, "sleep per unit, microseconds"}},
});

// ---- pipe_rw ------------------------------------------------------------------------------------

struct Pipe {
  int read_fd = -1, write_fd = -1;
  void Open() {
    int fds[2];
    if (::pipe(fds) != 0) ThrowErrno("pipe");
    read_fd = fds[0];
    write_fd = fds[1];
  }
  void Close() {
    if (read_fd >= 0) ::close(read_fd);
    if (write_fd >= 0) ::close(write_fd);
    read_fd = write_fd = -1;
  }
};

class PipeRwWorkload : public UnitWorkload {
 public:
  using UnitWorkload::UnitWorkload;
  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    Pipe pipe;
    struct CloseAtExit {  // also when a call below throws
      Pipe& pipe;
      ~CloseAtExit() { pipe.Close(); }
    } close_at_exit{pipe};
    {
      AllowThreads detached;  // os.pipe
      pipe.Open();
    }
    std::uint64_t sum = 0;
    char buffer[128];
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      LatencyProbe latency(out);
      std::string msg = Message(u);
      {
        AllowThreads detached;  // os.write
        WriteAll(pipe.write_fd, msg.data(), msg.size());
      }
      {
        AllowThreads detached;  // os.read
        ReadExactly(pipe.read_fd, buffer, msg.size());
      }
      sum += Consume({buffer, msg.size()}, u);
      ++out.work_units;
      EvalBreakerCheck();
    }
    AllowThreads detached;  // os.close
    pipe.Close();
    return sum;
  }
};

FTB_REGISTER_WORKLOAD(PipeRwWorkload, {
    .name = "pipe_rw",
    .category = "io",
    .description = "write then read back a short message on the thread's own pipe (never blocks)",
    .origin = "bpo-7946 (every I/O call releases and retakes the lock)",
    .default_size = 70000,
    .validate_size = 20,
    .knobs = {},
    .fds_per_thread = 2,
});

// ---- pipe_pingpong ------------------------------------------------------------------------------

class PipePingPongWorkload : public UnitWorkload {
 public:
  explicit PipePingPongWorkload(const bench::CellConfig& config)
      : UnitWorkload(config), inboxes_(static_cast<std::size_t>(config.threads)) {
    AllowThreads detached;
    try {
      for (Pipe& p : inboxes_) p.Open();
    } catch (...) {  // out of descriptors: give back those opened
      for (Pipe& p : inboxes_) p.Close();
      throw;
    }
  }
  ~PipePingPongWorkload() override {
    for (Pipe& p : inboxes_) p.Close();
  }

  std::uint64_t Run(int index, bench::UnitRange units, bench::ThreadOutput& out) override {
    int partner = (index ^ 1) < config_.threads ? (index ^ 1) : index;
    // Every thread runs the same number of rounds so that each read has a matching write; a
    // thread with no unit left in a round sends an empty message.
    std::int64_t rounds = Weak() ? config_.size : (config_.size + config_.threads - 1) / config_.threads;
    std::uint64_t sum = 0;
    try {
      sum = Rounds(index, partner, rounds, units, out);
    } catch (...) {
      // Hang up on the partner, which would otherwise wait for our next message for ever: its
      // read of its inbox now ends (end of file) and it fails too. Only this thread writes there.
      if (partner != index) {
        AllowThreads detached;  // os.close
        Pipe& inbox = inboxes_[static_cast<std::size_t>(partner)];
        ::close(inbox.write_fd);
        inbox.write_fd = -1;
      }
      throw;
    }
    return sum;
  }

 private:
  std::uint64_t Rounds(int index, int partner, std::int64_t rounds, bench::UnitRange units, bench::ThreadOutput& out) {
    struct Wire {
      std::int64_t unit;  // -1: no unit this round
      std::int64_t value;
    };
    std::uint64_t sum = 0;
    for (std::int64_t r = 0; r < rounds; ++r) {
      LatencyProbe latency(out);  // one round trip
      std::int64_t u = units.begin + r;
      Wire send{-1, 0};
      if (u < units.end) {
        Ref uu = Int(u), k = Int(2654435761);
        Ref v = Mul(uu.get(), k.get());
        send = {u, AsInt(v.get())};
      }
      Wire got{};
      {
        AllowThreads detached;  // os.write to the partner, then a blocking os.read of our inbox
        WriteAll(inboxes_[static_cast<std::size_t>(partner)].write_fd, reinterpret_cast<const char*>(&send), sizeof send);
        ReadExactly(inboxes_[static_cast<std::size_t>(index)].read_fd, reinterpret_cast<char*>(&got), sizeof got);
      }
      if (got.unit >= 0) {
        Ref v = Int(got.value);
        sum += Mix(static_cast<std::uint64_t>(AsInt(v.get())), got.unit);
        ++out.work_units;
      }
      EvalBreakerCheck();
    }
    return sum;
  }

  std::vector<Pipe> inboxes_;  // inboxes_[i]: what thread i reads
};

FTB_REGISTER_WORKLOAD(PipePingPongWorkload, {
    .name = "pipe_pingpong",
    .category = "io",
    .description = "thread pairs exchange one message per round over pipes, each waiting for the other",
    .origin = "",
    .default_size = 10000,
    .validate_size = 20,
    .knobs = {},
    .fds_per_thread = 2,
});

// ---- tcp_echo -----------------------------------------------------------------------------------

// An echo server on 127.0.0.1 that accepts `connections` connections, one native thread each.
class EchoServer {
 public:
  explicit EchoServer(int connections) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) ThrowErrno("socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;  // any free port
    socklen_t len = sizeof addr;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, connections) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      int saved = errno;
      ::close(listen_fd_);
      errno = saved;
      ThrowErrno("echo server bind/listen");
    }
    port_ = ntohs(addr.sin_port);
    try {
      StartAcceptor(connections);
    } catch (...) {  // no thread for the acceptor: the destructor will not run
      ::close(listen_fd_);
      throw;
    }
  }
  void StartAcceptor(int connections) {
    acceptor_ = std::thread([this, connections] {
      for (int i = 0; i < connections; ++i) {
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
          if (errno == EINTR || errno == ECONNABORTED) {
            --i;
            continue;
          }
          if (!stopping_.load()) Stop(std::error_code(errno, std::generic_category()), "accept");
          return;
        }
        int one = 1;  // echo each message at once (no Nagle delay)
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        try {
          StdLock lock(mu_);
          echoers_.emplace_back([fd] { Echo(fd); });
        } catch (const std::system_error& e) {  // no thread for this connection
          ::close(fd);
          Stop(e.code(), "starting an echo thread");
          return;
        } catch (const std::bad_alloc&) {
          ::close(fd);
          Stop(std::make_error_code(std::errc::not_enough_memory), "starting an echo thread");
          return;
        }
      }
    });
  }
  ~EchoServer() {
    stopping_.store(true);
    ::shutdown(listen_fd_, SHUT_RDWR);  // wakes the acceptor if a client never connected
    acceptor_.join();
    StdLock lock(mu_);  // uncontended now: the acceptor, the only other user, has ended
    for (std::thread& t : echoers_) t.join();  // each ends when its client closes
    ::close(listen_fd_);
  }
  // Why the server stopped serving before the cell ended; an empty message while it serves.
  std::pair<std::error_code, std::string> Error() {
    StdLock lock(mu_);
    return {error_code_, error_};
  }
  int port() const { return port_; }

 private:
  static void Echo(int fd) {
    char buffer[4096];
    for (;;) {
      ssize_t r = ::recv(fd, buffer, sizeof buffer, 0);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      if (::send(fd, buffer, static_cast<std::size_t>(r), MSG_NOSIGNAL) != r) break;
    }
    ::close(fd);
  }

  // The server cannot serve every client (out of descriptors or threads): records why and shuts
  // the listening socket down, which resets the connections still queued and refuses new ones, so
  // that no client waits forever for an echo.
  void Stop(std::error_code code, const char* what) {
    {
      StdLock lock(mu_);
      error_code_ = code;
      error_ = std::string("echo server: ") + what;
    }
    ::shutdown(listen_fd_, SHUT_RDWR);
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  std::atomic<bool> stopping_{false};
  StdMutex mu_;
  std::vector<std::thread> echoers_ FTB_GUARDED_BY(mu_);
  std::error_code error_code_ FTB_GUARDED_BY(mu_);
  std::string error_ FTB_GUARDED_BY(mu_);
};

// Closes a descriptor when the scope ends, also when a system call in it threw.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

class TcpEchoWorkload : public UnitWorkload {
 public:
  explicit TcpEchoWorkload(const bench::CellConfig& config) : UnitWorkload(config) {
    AllowThreads detached;
    server_ = std::make_unique<EchoServer>(config.threads);
  }
  ~TcpEchoWorkload() override {
    AllowThreads detached;  // joins native threads
    server_.reset();
  }

  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    FdCloser fd{-1};
    {
      AllowThreads detached;  // socket.create_connection
      fd.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd.fd < 0) Fail("socket");
      int one = 1;
      ::setsockopt(fd.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(static_cast<std::uint16_t>(server_->port()));
      if (::connect(fd.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Fail("connect");
    }
    std::uint64_t sum = 0;
    char buffer[128];
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      LatencyProbe latency(out);  // one round trip
      std::string msg = Message(u);
      {
        AllowThreads detached;  // sock.sendall
        if (::send(fd.fd, msg.data(), msg.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(msg.size())) Fail("send");
      }
      {
        AllowThreads detached;  // sock.recv until the whole echo is back
        std::size_t got = 0;
        while (got < msg.size()) {
          ssize_t r = ::recv(fd.fd, buffer + got, msg.size() - got, 0);
          if (r < 0 && errno == EINTR) continue;
          if (r <= 0) Fail("recv");
          got += static_cast<std::size_t>(r);
        }
      }
      sum += Consume({buffer, msg.size()}, u);
      ++out.work_units;
      EvalBreakerCheck();
    }
    AllowThreads detached;  // sock.close
    ::close(fd.fd);
    fd.fd = -1;
    return sum;
  }

 private:
  // A client's system call failed: the server's reason when it stopped serving (the client's own
  // error is then only its consequence), else the client's.
  [[noreturn]] void Fail(const char* what) {
    int saved = errno;
    auto [code, reason] = server_->Error();
    if (code) throw std::system_error(code, reason);
    errno = saved;
    ThrowErrno(what);
  }

  std::unique_ptr<EchoServer> server_;
};

FTB_REGISTER_WORKLOAD(TcpEchoWorkload, {
    .name = "tcp_echo",
    .category = "io",
    .description = "each thread its own connection to an in-process echo server on 127.0.0.1",
    .origin = "",
    .default_size = 3000,
    .validate_size = 20,
    .knobs = {},
    .fds_per_thread = 2,
});

// ---- file_read ----------------------------------------------------------------------------------

// with open(path) as f: for line in f: key, value = line.split(","); total += int(value)
class FileReadWorkload : public UnitWorkload {
 public:
  explicit FileReadWorkload(const bench::CellConfig& config) : UnitWorkload(config) {
    std::int64_t lines = IntKnob("lines");
    std::string content;
    for (std::int64_t i = 0; i < lines; ++i) content += std::to_string(i) + "," + std::to_string((i * 7919) % 100003) + "\n";
    size_ = content.size();
    AllowThreads detached;  // writing the file is setup, not measured
    const char* tmp = std::getenv("TMPDIR");
    std::string dir_template = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/ftbench-file_read-XXXXXX";
    if (::mkdtemp(dir_template.data()) == nullptr) ThrowErrno("mkdtemp");
    dir_ = dir_template;
    path_ = dir_ + "/data.csv";
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) ThrowErrno("open for writing");
    WriteAll(fd, content.data(), content.size());
    ::close(fd);
  }
  ~FileReadWorkload() override {
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }

  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    std::string data(size_, '\0');
    std::uint64_t sum = 0;
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      LatencyProbe latency(out);  // open, read, close and parse one file
      int fd;
      {
        AllowThreads detached;  // open()
        fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) ThrowErrno("open");
      }
      {
        AllowThreads detached;  // f.read()
        ReadExactly(fd, data.data(), size_);
      }
      {
        AllowThreads detached;  // f.close()
        ::close(fd);
      }
      Ref total = Int(0);
      std::string_view rest(data);
      while (!rest.empty()) {
        std::size_t nl = rest.find('\n');
        Ref line = Str(rest.substr(0, nl));  // each line a new str
        rest.remove_prefix(nl + 1);
        std::string_view text = AsStr(line.get());
        std::string_view field = text.substr(text.find(',') + 1);  // line.split(",")[1]
        Ref value = Int(std::strtoll(std::string(field).c_str(), nullptr, 10));  // int(...)
        total = Add(total.get(), value.get());
        EvalBreakerCheck();
      }
      sum += Mix(static_cast<std::uint64_t>(AsInt(total.get())), u);
      ++out.work_units;
    }
    return sum;
  }

 private:
  std::size_t size_ = 0;
  std::string dir_, path_;
};

FTB_REGISTER_WORKLOAD(FileReadWorkload, {
    .name = "file_read",
    .category = "io",
    .description = "open, read and parse a CSV file the workload wrote first (page cache)",
    .origin = "",
    .default_size = 3200,
    .validate_size = 4,
    .knobs = {{"lines", 512, 1, 1e7, "lines in the file"}},
    .fds_per_thread = 1,
});

}  // namespace
}  // namespace workloads
FTB_NAMESPACE_END
