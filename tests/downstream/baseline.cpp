// Uses the installed from-scratch baseline alone (no LibTorch needed).
#include <iostream>

#include "nnn/baseline/value.h"

int main() {
  nnn::baseline::Value a(2.0, "a"), b(-3.0, "b");
  nnn::baseline::Value c = (a * b + a).label("c");
  c.backward();
  std::cout << "c = " << c.data() << ", dc/da = " << a.grad() << ", dc/db = " << b.grad() << "\n";
  return (c.data() == -4.0 && a.grad() == -2.0 && b.grad() == 2.0) ? 0 : 1;
}
