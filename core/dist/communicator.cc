#include "core/dist/communicator.h"

#include <future>
#include <utility>

#include "core/dist/mpi_communicator.h"

namespace mx {
namespace dist {
namespace {

// The world of a process not launched by an MPI launcher: collectives are
// identities, tasks run at once in the submitting thread.
class SingleProcess : public Communicator, private Collectives {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string Describe() const override { return "a single process"; }
  Ticket Reserve() override { return next_++; }
  void Submit(Ticket, Task task, Done done) override {
    std::exception_ptr error;
    try {
      task(*this);
    } catch (...) {
      error = std::current_exception();
    }
    done(error);
  }
  void Finalize() override {}
  bool failed() const override { return false; }
  Stats stats() const override { return {}; }

 private:
  void AllReduceSum(void*, int64_t, DType) override {}
  void AllReduceMax(int64_t*, int64_t) override {}
  void Broadcast(void*, int64_t, int) override {}
  Ticket next_ = 0;
};

}  // namespace

Communicator& Communicator::World() {
  // Never destroyed: engine work may still submit tasks during exit.
  static Communicator* world = [] {
    Communicator* c = LaunchedByMpi() ? NewMpiCommunicator() : nullptr;
    return c != nullptr ? c : new SingleProcess();
  }();
  return *world;
}

void Communicator::Run(Task task) {
  std::promise<void> finished;
  std::future<void> result = finished.get_future();
  Submit(Reserve(), std::move(task), [&finished](std::exception_ptr error) {
    if (error) {
      finished.set_exception(error);
    } else {
      finished.set_value();
    }
  });
  result.get();
}

void Communicator::AllReduceSum(void* data, int64_t count, DType dtype) {
  Run([=](Collectives& c) { c.AllReduceSum(data, count, dtype); });
}

int64_t Communicator::AllReduceMax(int64_t value) {
  Run([&value](Collectives& c) { c.AllReduceMax(&value, 1); });
  return value;
}

void Communicator::Broadcast(void* data, int64_t bytes, int root) {
  Run([=](Collectives& c) { c.Broadcast(data, bytes, root); });
}

}  // namespace dist
}  // namespace mx
