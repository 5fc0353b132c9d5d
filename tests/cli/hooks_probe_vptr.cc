// hooks_probe_vptr.cc — the one construct C cannot produce: a C++ virtual
// call (__tsan_vptr_read) and a constructor storing the vptr
// (__tsan_vptr_update). Compiled with -c only, by hooks_test.sh "symbols";
// needs no C++ headers or library.
struct Base {
	virtual int f() { return 1; }
	virtual ~Base() {}
};
struct Derived : Base {
	int f() override { return 2; }
};

Base *g_obj;

extern "C" int probe_vptr(void)
{
	g_obj = new Derived;
	int r = g_obj->f();
	delete g_obj;
	return r;
}
