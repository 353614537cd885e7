add64 r10, -64
stxdw [r10+0], r10
ldxdw r0, [r10+0]
exit
