namespace mlscope::exec { void register_nn_kernels() {} }
