import torch

from shls.models.heads import SuperfeatureHead


def _inputs():
    torch.manual_seed(0)
    spx = torch.zeros(2, 8, 8, dtype=torch.long)
    spx[0, :, 4:] = 1
    spx[0, 6:, :] = 2
    spx[1, 4:, :] = 1
    return torch.randn(2, 5, 8, 8), torch.randn(2, 7, 2, 2), spx


def test_pool_equals_naive_loop():
    l1, l4, spx = _inputs()
    head = SuperfeatureHead(l1_channels=5, l4_channels=7, out_channels=4)
    p1, p4, counts = head.pool(l1, l4, spx)
    assert counts.tolist() == [3, 2]
    row = 0
    for b in range(2):
        small = spx[b, ::4, ::4]
        for s in range(int(counts[b])):
            m = spx[b] == s
            naive1 = l1[b][:, m].mean(1)
            assert torch.allclose(p1[row, :5], naive1, atol=1e-6)
            area = m.float().mean()
            rows, cols = torch.nonzero(m, as_tuple=True)
            meta = torch.stack([area, rows.float().mean() / 7, cols.float().mean() / 7])
            assert torch.allclose(p1[row, 5:], meta, atol=1e-6)
            ms = small == s
            if ms.any():
                assert torch.allclose(p4[row, :7], l4[b][:, ms].mean(1), atol=1e-6)
            else:  # vanished at stride 4: zero prototype
                assert torch.equal(p4[row], torch.zeros(10))
            row += 1


def test_forward_shape_nonnegative_and_differentiable():
    l1, l4, spx = _inputs()
    l1.requires_grad_(True)
    head = SuperfeatureHead(l1_channels=5, l4_channels=7, out_channels=32)
    feats, counts = head(l1, l4, spx)
    assert feats.shape == (5, 32) and (feats >= 0).all()
    feats.sum().backward()
    assert l1.grad is not None


def test_eval_mode_is_deterministic_per_vector():
    l1, l4, spx = _inputs()
    head = SuperfeatureHead(l1_channels=5, l4_channels=7).eval()
    full, _ = head(l1, l4, spx)
    single, _ = head(l1[:1], l4[:1], spx[:1])
    assert torch.allclose(full[:3], single, atol=1e-6)


def test_l1_smaller_than_the_labels_is_pooled_at_its_own_resolution():
    """A backbone with l1_at_input_size=False: L1 means over the nearest-downsampled
    labels, the meta values still from the full-resolution labels."""
    _, l4, spx = _inputs()
    l1 = torch.randn(2, 5, 4, 4)
    head = SuperfeatureHead(l1_channels=5, l4_channels=7, out_channels=4)
    p1, _, _ = head.pool(l1, l4, spx)
    full = torch.nn.functional.interpolate(l1, size=(8, 8), mode='nearest')
    ref, _, _ = head.pool(full, l4, spx)
    assert torch.allclose(p1, ref, atol=1e-6)
