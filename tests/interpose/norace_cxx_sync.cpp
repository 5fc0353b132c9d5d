/* norace_cxx_sync: C++'s synchronisation, which goes through libstdc++:
 * a function-local static with a constructor, first used by four threads
 * at once (libstdc++'s __cxa_guard_acquire/release, whose atomics the
 * detector does not see: without their edges every user of the static
 * raced with its constructor); std::mutex and std::condition_variable,
 * std::call_once, std::shared_ptr's count, std::thread's start and join.
 * Exits 1 when a value is wrong. */
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct Config {
	std::string name;
	int level;
	Config() : name("config"), level(7) {}
};

static Config &config()
{
	static Config c;
	return c;
}

int main()
{
	std::atomic<int> sum{0};
	auto table = std::make_shared<std::vector<int>>(64, 1);
	std::mutex m;
	std::condition_variable cv;
	bool go = false;
	int under_lock = 0;
	std::once_flag once;
	int once_value = 0;
	std::vector<std::thread> ts;
	for (int i = 0; i < 4; i++)
		ts.emplace_back([&, table, i] {
			sum += config().level + (int)config().name.size() + (*table)[i];
			std::call_once(once, [&] { once_value = 5; });
			std::unique_lock<std::mutex> l(m);
			cv.wait(l, [&] { return go; });
			under_lock += once_value;
		});
	{
		std::lock_guard<std::mutex> l(m);
		go = true;
	}
	cv.notify_all();
	for (auto &t : ts)
		t.join();
	return sum == 4 * (7 + 6 + 1) && under_lock == 20 ? 0 : 1;
}
