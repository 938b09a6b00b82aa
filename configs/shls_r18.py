# Short name of the paper's recipe (see configs/shls/shls_r18_slic_8xb1-80k_msra10k-256.py):
#   bash tools/dist_train.sh configs/shls_r18.py 8
_base_ = ['./shls/shls_r18_slic_8xb1-80k_msra10k-256.py']
