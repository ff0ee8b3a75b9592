#include "train/distributed.h"

#include "patchout/error.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>

namespace patchout {

struct Communicator::Impl {
    CommunicatorOptions options;
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group;

    std::string where() const {
        return "rank " + std::to_string(options.rank) + " of " +
               std::to_string(options.world_size) + " via " + options.master_addr + ":" +
               std::to_string(options.master_port);
    }

    // Gloo reports a dead peer as a closed connection or, when it stays silent, a timeout; both
    // become one clear error instead of an abort or an endless wait.
    void run(const char* what, c10::intrusive_ptr<c10d::Work> work) {
        try {
            work->wait(std::chrono::seconds(options.timeout_s));
        } catch (const std::exception& e) {
            throw Error(ErrorCode::Io,
                        std::string("distributed ") + what +
                            " failed: a peer process died or did not answer within " +
                            std::to_string(options.timeout_s) + " s (" + exceptionMessage(e) + ")",
                        where());
        }
    }
};

Communicator::Communicator(const CommunicatorOptions& options) : m_impl(std::make_unique<Impl>()) {
    m_impl->options = options;
    if (options.world_size < 1 || options.rank < 0 || options.rank >= options.world_size)
        throw Error(ErrorCode::InvalidArgument, "rank must be in 0..world_size-1", m_impl->where());
    if (options.master_port < 1 || options.master_port > 65535)
        throw Error(ErrorCode::InvalidArgument, "master_port must be in 1..65535", m_impl->where());
    const auto timeout = std::chrono::milliseconds(std::int64_t{options.timeout_s} * 1000);
    try {
        c10d::TCPStoreOptions so;
        so.port = static_cast<std::uint16_t>(options.master_port);
        so.isServer = options.rank == 0;
        so.numWorkers = static_cast<std::size_t>(options.world_size);
        so.waitWorkers = true;
        so.timeout = timeout;
        m_impl->store = c10::make_intrusive<c10d::TCPStore>(options.master_addr, so);
        auto go = c10d::ProcessGroupGloo::Options::create(timeout);
        go->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(options.master_addr));
        go->threads = 1;
        m_impl->group = c10::make_intrusive<c10d::ProcessGroupGloo>(
            m_impl->store, options.rank, options.world_size, go);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(ErrorCode::Io,
                    std::string("could not join the distributed group within ") +
                        std::to_string(options.timeout_s) + " s: " + exceptionMessage(e),
                    m_impl->where());
    }
}

Communicator::~Communicator() = default;

int Communicator::rank() const noexcept { return m_impl->options.rank; }
int Communicator::worldSize() const noexcept { return m_impl->options.world_size; }

void Communicator::allReduceMean(const std::vector<torch::Tensor>& tensors) {
    if (tensors.empty())
        return;
    std::vector<torch::Tensor> flat{torch::cat([&] {
        std::vector<torch::Tensor> parts;
        parts.reserve(tensors.size());
        for (const auto& t : tensors)
            parts.push_back(t.reshape({-1}));
        return parts;
    }())};
    m_impl->run("all-reduce", m_impl->group->allreduce(flat));
    flat[0].div_(static_cast<double>(worldSize()));
    std::int64_t offset = 0;
    for (const auto& t : tensors) {
        const std::int64_t n = t.numel();
        t.copy_(flat[0].slice(0, offset, offset + n).view_as(t));
        offset += n;
    }
}

void Communicator::broadcastFromRoot(const std::vector<torch::Tensor>& tensors) {
    if (tensors.empty())
        return;
    std::vector<torch::Tensor> parts;
    for (const auto& t : tensors)
        parts.push_back(t.detach().reshape({-1}));
    std::vector<torch::Tensor> flat{torch::cat(parts)};
    m_impl->run("broadcast", m_impl->group->broadcast(flat));
    torch::NoGradGuard noGrad;
    std::int64_t offset = 0;
    for (const auto& t : tensors) {
        const std::int64_t n = t.numel();
        t.copy_(flat[0].slice(0, offset, offset + n).view_as(t));
        offset += n;
    }
}

void Communicator::barrier() { m_impl->run("barrier", m_impl->group->barrier()); }

}  // namespace patchout
