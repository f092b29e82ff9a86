// A program that calls nothing: nnn/CMakeLists.txt links one layer of the
// library into it whole (every object, used or not), so a function of a
// lower layer that calls into a higher one leaves an undefined symbol and
// the build fails. It is built, never run.
int main() { return 0; }
