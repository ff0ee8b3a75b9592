// Data-parallel plumbing for the trainer (internal: includes torch): a Gloo process group over a
// TCP rendezvous store, used to average gradients, to start every rank from rank 0's weights and
// to fail with a clear error (not hang) when a peer dies.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace patchout {

struct CommunicatorOptions {
    int world_size = 1;
    int rank = 0;
    std::string master_addr = "127.0.0.1";
    int master_port = 29500;
    int timeout_s = 60;
};

class Communicator {
public:
    // Joins the group (rank 0 hosts the store); waits at most timeout_s for the others, then
    // throws Error(Io) naming the address.
    explicit Communicator(const CommunicatorOptions& options);
    ~Communicator();
    Communicator(const Communicator&) = delete;
    Communicator& operator=(const Communicator&) = delete;

    int rank() const noexcept;
    int worldSize() const noexcept;
    // In place: every tensor becomes the mean over ranks. One flat all-reduce for all of them.
    void allReduceMean(const std::vector<torch::Tensor>& tensors);
    // In place: every tensor becomes rank 0's.
    void broadcastFromRoot(const std::vector<torch::Tensor>& tensors);
    void barrier();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace patchout
