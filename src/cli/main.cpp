// SPDX-License-Identifier: MIT
#include <iostream>
int main() { std::cout << "mhla " MHLA_VERSION "\n"; }
