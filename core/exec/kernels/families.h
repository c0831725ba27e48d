// One registration function per kernel family file (kernels/<family>.cpp).
#pragma once

namespace mlscope::exec {

void register_elementwise_kernels();
void register_activation_kernels();
void register_linear_kernels();
void register_conv_kernels();
void register_reduce_kernels();
void register_norm_kernels();
void register_pool_kernels();
void register_shape_kernels();
void register_gather_kernels();
void register_tensor_kernels();
void register_quant_kernels();
void register_control_kernels();
void register_recurrent_kernels();
void register_state_kernels();
void register_classify_kernels();
void register_attention_kernels();
void register_nn_kernels();

}  // namespace mlscope::exec
