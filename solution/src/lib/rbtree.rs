//! The red-black tree: Linux's generic, intrusive balanced search tree
//! (`lib/rbtree.c`), which keeps an address space's regions sorted.
//!
//! # Red-black trees
//!
//! A binary search tree keeps its nodes in key order: everything in a node's
//! left subtree sorts before it, everything in its right subtree after. A
//! search, an insertion or an erasure follows one path down from the root, so
//! it costs the tree's height; but keys inserted in order turn a plain search
//! tree into a list. A red-black tree colours each node and keeps five
//! properties:
//!
//! 1. Every node is red or black.
//! 2. The root is black.
//! 3. Every leaf, the empty link below a node, counts as black.
//! 4. A red node has black children: no path meets two reds in a row.
//! 5. Every path from a node down to a leaf meets the same number of black
//!    nodes, the node's *black height*.
//!
//! By 4 and 5 no path from the root is more than twice as long as another, so
//! a tree of n nodes is at most 2·log2(n + 1) high.
//!
//! Changes restore the properties by recolouring and by *rotations*, which
//! change the shape but not the order:
//!
//! ```text
//!        node                                right
//!       /    \       __rb_rotate_left       /     \
//!      a    right      ------------->     node     c
//!          /     \     <-------------    /    \
//!         b       c    __rb_rotate_right a     b
//! ```
//!
//! *Insertion* links the new node red into an empty link, which can only
//! break property 2 or 4. [`rb_insert_color`] walks up while the node's
//! parent is red: a red uncle is fixed by recolouring, which moves the problem
//! two levels up; a black uncle by one or two rotations, which end it.
//! *Erasure* ([`rb_erase`]) unlinks the node or, if it has two children, its
//! in-order successor, which then takes its place. If the node that left the
//! tree was black, the paths through its place are one black short, and
//! `__rb_erase_color` walks up looking at the sibling: again recolourings that
//! move up, or rotations that end it. Both take O(log n) steps and at most
//! three rotations.
//!
//! # Intrusive: the node lives in the element
//!
//! The tree allocates nothing and owns nothing. Each element embeds an
//! [`RbNode`] (a region's `vm_rb`) and the tree links those, so an insertion
//! cannot fail for lack of memory, an element can sit in a tree and on a list
//! at once, and erasing an element needs no search. [`rb_entry!`] goes back
//! from a node to the element around it. The price is raw pointers: while a
//! node is linked, its element stays alive and does not move, which is what
//! the `unsafe` functions ask of their callers.
//!
//! # Who searches
//!
//! The library knows no keys. Each user writes its own descent, comparing its
//! own keys, to find the empty link where a new node belongs and that link's
//! parent; [`rb_link_node`] puts the node there, red, and [`rb_insert_color`]
//! rebalances. A lookup is the same loop without the insertion. A keyed insert
//! (`insert` in `lib/tests/rbtree.rs` is this, compiled):
//!
//! ```ignore
//! struct Item { key: u32, node: RbNode }
//!
//! fn insert(root: &mut RbRoot, item: NonNull<Item>) -> bool {
//!     let (key, node) = unsafe { (item.as_ref().key, NonNull::new_unchecked(&raw mut (*item.as_ptr()).node)) };
//!     let (mut parent, mut link) = (None, &mut root.rb_node);
//!     while let Some(here) = *link {
//!         let here_key = unsafe { rb_entry!(here, Item, node).as_ref().key };
//!         if key == here_key {
//!             return false;
//!         }
//!         parent = Some(here);
//!         let here = unsafe { &mut *here.as_ptr() };
//!         link = if key < here_key { here.left_mut() } else { here.right_mut() };
//!     }
//!     unsafe { rb_link_node(node, parent, link) };
//!     unsafe { rb_insert_color(node, root) };
//!     true
//! }
//! ```
//!
//! # Differences from Linux
//!
//! The colour is a field, not the low bit of the parent pointer. Linux writes
//! each fix-up case twice, once with left and right swapped; here each is
//! written once for a `Side`. [`rb_check`] validates a tree, as Linux's
//! `validate_mm` does for the regions. Left out: `rb_replace_node` and the
//! augmented trees of later kernels.

use core::ptr::NonNull;

use RbColor::{Black, Red};
use Side::{Left, Right};

/// A link in the tree, to a parent or a child; `None` is an empty one.
pub type RbLink = Option<NonNull<RbNode>>;

/// A node's colour.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RbColor {
    Red,
    Black,
}

/// The node embedded in each element (Linux's `struct rb_node`).
///
/// Only this module's functions change the links; users read them in their
/// searches and take the empty child link to insert at from
/// [`left_mut`](Self::left_mut) or [`right_mut`](Self::right_mut).
#[derive(Debug)]
pub struct RbNode {
    parent: RbLink,
    left: RbLink,
    right: RbLink,
    // Linux packs the colour into the parent pointer's low bit; we keep a field.
    color: RbColor,
}

impl RbNode {
    /// A node in no tree; [`rb_link_node`] sets it up when it is linked.
    pub const fn new() -> Self {
        Self { parent: None, left: None, right: None, color: Red }
    }

    #[allow(dead_code, reason = "Linux's whole interface; not every part has a user yet")]
    pub fn parent(&self) -> RbLink {
        self.parent
    }

    pub fn left(&self) -> RbLink {
        self.left
    }

    pub fn right(&self) -> RbLink {
        self.right
    }

    #[allow(dead_code, reason = "Linux's whole interface; not every part has a user yet")]
    pub fn color(&self) -> RbColor {
        self.color
    }

    /// The left child link, for a search that inserts there.
    pub fn left_mut(&mut self) -> &mut RbLink {
        &mut self.left
    }

    /// The right child link, for a search that inserts there.
    pub fn right_mut(&mut self) -> &mut RbLink {
        &mut self.right
    }
}

impl Default for RbNode {
    fn default() -> Self {
        Self::new()
    }
}

/// A tree: the link to its root node (Linux's `struct rb_root`).
///
/// Every node linked under a root is live and stays in place until it is
/// erased: [`rb_link_node`]'s callers promise it, and the safe walkers
/// ([`rb_first`], [`rb_last`], [`rb_check`]) rely on it. `rb_node` is public
/// for users' searches, which start from it and may take `&mut root.rb_node`
/// as the link to insert at; nothing else writes it.
#[derive(Debug)]
pub struct RbRoot {
    pub rb_node: RbLink,
}

impl RbRoot {
    /// An empty tree.
    pub const fn new() -> Self {
        Self { rb_node: None }
    }

    #[allow(dead_code, reason = "Linux's whole interface; not every part has a user yet")]
    pub fn is_empty(&self) -> bool {
        self.rb_node.is_none()
    }
}

impl Default for RbRoot {
    fn default() -> Self {
        Self::new()
    }
}

/// From a node pointer to the element that embeds it as `$field` (Linux's
/// `rb_entry`, that is `container_of`): `rb_entry!(node, VmAreaStruct, vm_rb)`
/// is a `NonNull<VmAreaStruct>`.
///
/// Only an address is computed; dereferencing it is the caller's `unsafe`
/// step, sound if `$node` is the `$field` of a live `$Type`. Take node
/// pointers from a pointer to the whole element (`&raw mut (*element).field`)
/// rather than from a `&mut` to the field alone, so that under Rust's aliasing
/// rules the way back may reach the rest of the element.
macro_rules! rb_entry {
    ($node:expr, $Type:ty, $field:ident) => {{
        let node: ::core::ptr::NonNull<$crate::lib::rbtree::RbNode> = $node;
        let element = node.as_ptr().wrapping_byte_sub(::core::mem::offset_of!($Type, $field));
        ::core::ptr::NonNull::new(element.cast::<$Type>()).expect("rb_entry!: not a node inside an element")
    }};
}
pub(crate) use rb_entry;

/// Which child. The fix-up cases come in mirror-image pairs, which Linux
/// writes out twice; here each is written once for a side.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Left,
    Right,
}

impl Side {
    /// The mirror image.
    fn other(self) -> Self {
        match self {
            Left => Right,
            Right => Left,
        }
    }
}

// Field access for the algorithms. Each function reads or writes one field
// through the raw pointer, making no reference that could overlap one the
// caller holds. Their common contract: `node` points to a live `RbNode` that
// nothing else borrows during the call.

/// `node`'s parent (Linux's `rb_parent`).
unsafe fn rb_parent(node: NonNull<RbNode>) -> RbLink {
    // SAFETY: the common contract above.
    unsafe { (*node.as_ptr()).parent }
}

unsafe fn rb_set_parent(node: NonNull<RbNode>, parent: RbLink) {
    // SAFETY: the common contract above.
    unsafe { (*node.as_ptr()).parent = parent }
}

unsafe fn rb_color(node: NonNull<RbNode>) -> RbColor {
    // SAFETY: the common contract above.
    unsafe { (*node.as_ptr()).color }
}

unsafe fn rb_set_color(node: NonNull<RbNode>, color: RbColor) {
    // SAFETY: the common contract above.
    unsafe { (*node.as_ptr()).color = color }
}

/// `node`'s child on `side`.
unsafe fn rb_child(node: NonNull<RbNode>, side: Side) -> RbLink {
    // SAFETY: the common contract above.
    unsafe {
        match side {
            Left => (*node.as_ptr()).left,
            Right => (*node.as_ptr()).right,
        }
    }
}

unsafe fn rb_set_child(node: NonNull<RbNode>, side: Side, child: RbLink) {
    // SAFETY: the common contract above.
    unsafe {
        match side {
            Left => (*node.as_ptr()).left = child,
            Right => (*node.as_ptr()).right = child,
        }
    }
}

/// Whether `link` is a black node or an empty link, a leaf (property 3).
unsafe fn rb_is_black(link: RbLink) -> bool {
    // SAFETY: the common contract above, for the node `link` holds.
    link.is_none_or(|node| unsafe { rb_color(node) } == Black)
}

/// Which child of `parent` the link `child` is. An empty `child` is taken to
/// be the empty side, so `parent` must not have two empty links then.
unsafe fn rb_side(child: RbLink, parent: NonNull<RbNode>) -> Side {
    // SAFETY: the common contract above, for `parent`.
    if unsafe { rb_child(parent, Left) } == child { Left } else { Right }
}

/// The last node on the way down from `node` always taking `side`: the
/// smallest (`Left`) or largest (`Right`) node of `node`'s subtree.
unsafe fn rb_outermost(node: NonNull<RbNode>, side: Side) -> NonNull<RbNode> {
    let mut node = node;
    // SAFETY: the common contract above, for `node` and its subtree.
    while let Some(child) = unsafe { rb_child(node, side) } {
        node = child;
    }
    node
}

/// Points the link that held `old`, `parent`'s child or else the root, at
/// `new` instead (Linux 3.x's `__rb_change_child`). `parent`'s links must not
/// have changed yet.
unsafe fn __rb_change_child(old: NonNull<RbNode>, new: RbLink, parent: RbLink, root: &mut RbRoot) {
    match parent {
        None => root.rb_node = new,
        // SAFETY: the common contract above, for `parent`.
        Some(parent) => unsafe { rb_set_child(parent, rb_side(Some(old), parent), new) },
    }
}

/// Rotates left at `node`: its right child takes its place and `node`
/// becomes that child's left child, taking over the child's left subtree as
/// its own right one (the diagram at the top). The order does not change.
///
/// # Safety
/// `node` is in `root`'s tree and has a right child; the tree's nodes are live
/// and nothing else borrows them during the call.
unsafe fn __rb_rotate_left(node: NonNull<RbNode>, root: &mut RbRoot) {
    // LAB 3 BEGIN: make node's right child take node's place: node takes that child's left subtree as its right one and becomes the child's left child; set the parent of every node that moved, and repoint the link that held node (__rb_change_child).
    // SAFETY: the caller's contract.
    unsafe {
        let parent = rb_parent(node);
        let right = rb_child(node, Right).expect("__rb_rotate_left without a right child");
        let inner = rb_child(right, Left);
        rb_set_child(node, Right, inner);
        if let Some(inner) = inner {
            rb_set_parent(inner, Some(node));
        }
        rb_set_child(right, Left, Some(node));
        rb_set_parent(node, Some(right));
        rb_set_parent(right, parent);
        __rb_change_child(node, Some(right), parent, root);
    }
    // LAB 3 END
}

/// Rotates right at `node`, the mirror image of [`__rb_rotate_left`]: its
/// left child takes its place and `node` becomes that child's right child.
///
/// # Safety
/// As for [`__rb_rotate_left`], with a left child.
unsafe fn __rb_rotate_right(node: NonNull<RbNode>, root: &mut RbRoot) {
    // LAB 3 BEGIN: make node's left child take node's place: node takes that child's right subtree as its left one and becomes the child's right child; set the parent of every node that moved, and repoint the link that held node (__rb_change_child).
    // SAFETY: the caller's contract.
    unsafe {
        let parent = rb_parent(node);
        let left = rb_child(node, Left).expect("__rb_rotate_right without a left child");
        let inner = rb_child(left, Right);
        rb_set_child(node, Left, inner);
        if let Some(inner) = inner {
            rb_set_parent(inner, Some(node));
        }
        rb_set_child(left, Right, Some(node));
        rb_set_parent(node, Some(left));
        rb_set_parent(left, parent);
        __rb_change_child(node, Some(left), parent, root);
    }
    // LAB 3 END
}

/// Rotates `node` down towards `side`: its child on the other side comes up.
///
/// # Safety
/// As for [`__rb_rotate_left`], with a child on `side.other()`.
unsafe fn __rb_rotate(node: NonNull<RbNode>, side: Side, root: &mut RbRoot) {
    // SAFETY: the caller's contract.
    unsafe {
        match side {
            Left => __rb_rotate_left(node, root),
            Right => __rb_rotate_right(node, root),
        }
    }
}

/// Links `node`, red, as the child of `parent` (`None`: the root) in the empty
/// link `link`: the root's `rb_node`, or `parent`'s left or right link found
/// by the caller's search (Linux's `rb_link_node`). Call [`rb_insert_color`]
/// next to rebalance.
///
/// # Safety
/// `node` is live, in no tree, and nothing else borrows it; `link` belongs to
/// `parent`, or to the root if `parent` is `None`. The element holding `node`
/// stays alive and in place until [`rb_erase`] unlinks it.
pub unsafe fn rb_link_node(node: NonNull<RbNode>, parent: RbLink, link: &mut RbLink) {
    debug_assert!(link.is_none(), "rb_link_node into a link that is in use");
    // SAFETY: the caller's contract: `node` is ours to overwrite.
    unsafe { node.write(RbNode { parent, left: None, right: None, color: Red }) };
    *link = Some(node);
}

/// Rebalances `root`'s tree after [`rb_link_node`] put `node` in it (Linux's
/// `rb_insert_color`).
///
/// # Safety
/// `node` was just linked in `root`'s tree; the tree's nodes are live and
/// nothing else borrows them during the call.
pub unsafe fn rb_insert_color(node: NonNull<RbNode>, root: &mut RbRoot) {
    // LAB 3 BEGIN: while node's parent is red: if the uncle is red, blacken parent and uncle, redden the grandparent and go on from it; else (black uncle) first rotate an inner node out to the parent's side, then blacken the parent, redden the grandparent, rotate it the other way and stop; last, blacken the root.
    // SAFETY: the caller's contract.
    unsafe {
        let mut node = node;
        while let Some(mut parent) = rb_parent(node).filter(|&parent| rb_color(parent) == Red) {
            let gparent = rb_parent(parent).expect("a red node is not the root");
            let side = rb_side(Some(parent), gparent);
            if let Some(uncle) = rb_child(gparent, side.other()).filter(|&uncle| rb_color(uncle) == Red) {
                // A red uncle: push the grandparent's black down a level, and
                // go on from the grandparent, now red.
                rb_set_color(uncle, Black);
                rb_set_color(parent, Black);
                rb_set_color(gparent, Red);
                node = gparent;
                continue;
            }
            if rb_child(parent, side.other()) == Some(node) {
                // An inner child: rotate it out, where it becomes the parent.
                __rb_rotate(parent, side, root);
                parent = node;
            }
            // A black uncle: the parent comes up as the black top of the two.
            rb_set_color(parent, Black);
            rb_set_color(gparent, Red);
            __rb_rotate(gparent, side.other(), root);
            break;
        }
        rb_set_color(root.rb_node.expect("the tree holds at least node"), Black);
    }
    // LAB 3 END
}

/// Unlinks `node` from `root`'s tree and rebalances (Linux's `rb_erase`).
/// `node`'s own links are left stale; it may be linked again.
///
/// # Safety
/// `node` is in `root`'s tree; the tree's nodes are live and nothing else
/// borrows them during the call.
pub unsafe fn rb_erase(node: NonNull<RbNode>, root: &mut RbRoot) {
    // LAB 3 BEGIN: with at most one child, let that child (or nothing) take node's place, keeping node's colour as the one that left; with two, call rb_replace_by_successor. If the colour that left was black, call __rb_erase_color(child, parent, root) on the link that took the place.
    // SAFETY: the caller's contract.
    unsafe {
        let (child, parent, color) = match (rb_child(node, Left), rb_child(node, Right)) {
            (Some(_), Some(_)) => rb_replace_by_successor(node, root),
            (None, child) | (child, None) => {
                let parent = rb_parent(node);
                if let Some(child) = child {
                    rb_set_parent(child, parent);
                }
                __rb_change_child(node, child, parent, root);
                (child, parent, rb_color(node))
            }
        };
        if color == Black {
            __rb_erase_color(child, parent, root);
        }
    }
    // LAB 3 END
}

/// Erasure of a node with two children: moves `node`'s in-order successor
/// (the leftmost node of its right subtree, which has no left child) into
/// `node`'s place and colour, and lets the successor's right child take the
/// successor's old place. Returns that child, its new parent, and the
/// successor's old colour, the one that left the tree.
///
/// # Safety
/// As for [`rb_erase`], and `node` has two children.
unsafe fn rb_replace_by_successor(node: NonNull<RbNode>, root: &mut RbRoot) -> (RbLink, RbLink, RbColor) {
    // LAB 3 BEGIN: find the successor (rb_outermost of the right child); let its right child take its place (unless its parent is node: then it keeps that child, and is the child's parent); then give it node's parent link (__rb_change_child), colour and both subtrees, fixing their parents.
    // SAFETY: the caller's contract.
    unsafe {
        let left = rb_child(node, Left).expect("two children");
        let right = rb_child(node, Right).expect("two children");
        let next = rb_outermost(right, Left);
        let (child, color) = (rb_child(next, Right), rb_color(next));
        let parent = if next == right {
            next
        } else {
            let parent = rb_parent(next).expect("below node");
            if let Some(child) = child {
                rb_set_parent(child, Some(parent));
            }
            rb_set_child(parent, Left, child);
            rb_set_child(next, Right, Some(right));
            rb_set_parent(right, Some(next));
            parent
        };
        __rb_change_child(node, Some(next), rb_parent(node), root);
        rb_set_parent(next, rb_parent(node));
        rb_set_color(next, rb_color(node));
        rb_set_child(next, Left, Some(left));
        rb_set_parent(left, Some(next));
        (child, Some(parent), color)
    }
    // LAB 3 END
}

/// After a black node left the tree, the paths through `node` (possibly an
/// empty link), a child of `parent`, are one black short: walks up, looking
/// at `node`'s sibling, until the black is made up (Linux's
/// `__rb_erase_color`).
///
/// # Safety
/// As for [`rb_erase`], for `parent` and `root`'s tree.
unsafe fn __rb_erase_color(node: RbLink, parent: RbLink, root: &mut RbRoot) {
    // LAB 3 BEGIN: while node is black and not the root: a red sibling gets its colour swapped with the parent's and the parent rotated towards node; then a sibling with two black children turns red and you go up; otherwise make the sibling's far child red (rotate the sibling away from node if only the near one is), give the sibling the parent's colour, blacken the parent and the far child, rotate the parent towards node and stop. Last, blacken node.
    // SAFETY: the caller's contract.
    unsafe {
        let (mut node, mut parent) = (node, parent);
        while rb_is_black(node) && node != root.rb_node {
            let up = parent.expect("a node below the root has a parent");
            let side = rb_side(node, up);
            let mut other = rb_child(up, side.other()).expect("a path one black short has a sibling");
            if rb_color(other) == Red {
                // A red sibling: rotate it up, so that node's new sibling is black.
                rb_set_color(other, Black);
                rb_set_color(up, Red);
                __rb_rotate(up, side, root);
                other = rb_child(up, side.other()).expect("a black sibling");
            }
            if rb_is_black(rb_child(other, Left)) && rb_is_black(rb_child(other, Right)) {
                // Both nephews black: redden the sibling, so all of `up` is
                // one black short, and go up.
                rb_set_color(other, Red);
                (node, parent) = (Some(up), rb_parent(up));
                continue;
            }
            if rb_is_black(rb_child(other, side.other())) {
                // Only the near nephew is red: rotate it up to be the sibling.
                rb_set_color(rb_child(other, side).expect("a red near nephew"), Black);
                rb_set_color(other, Red);
                __rb_rotate(other, side.other(), root);
                other = rb_child(up, side.other()).expect("a black sibling");
            }
            // The far nephew is red: the sibling comes up in the parent's
            // colour, and the blackened parent and far nephew add the black.
            rb_set_color(other, rb_color(up));
            rb_set_color(up, Black);
            rb_set_color(rb_child(other, side.other()).expect("a red far nephew"), Black);
            __rb_rotate(up, side, root);
            node = root.rb_node;
            break;
        }
        if let Some(node) = node {
            rb_set_color(node, Black);
        }
    }
    // LAB 3 END
}

/// The smallest node of `root`'s tree (Linux's `rb_first`).
pub fn rb_first(root: &RbRoot) -> RbLink {
    // SAFETY: a root links only live nodes (see `RbRoot`).
    root.rb_node.map(|node| unsafe { rb_outermost(node, Left) })
}

/// The largest node of `root`'s tree (Linux's `rb_last`).
#[allow(dead_code, reason = "Linux's whole interface; not every part has a user yet")]
pub fn rb_last(root: &RbRoot) -> RbLink {
    // SAFETY: a root links only live nodes (see `RbRoot`).
    root.rb_node.map(|node| unsafe { rb_outermost(node, Right) })
}

/// The node after `node` in order, `None` after the last (Linux's `rb_next`).
///
/// # Safety
/// `node` is in a tree whose nodes are live and which nobody changes during
/// the call.
pub unsafe fn rb_next(node: NonNull<RbNode>) -> RbLink {
    // SAFETY: the caller's contract.
    unsafe { rb_step(node, Right) }
}

/// The node before `node` in order, `None` before the first (Linux's
/// `rb_prev`).
///
/// # Safety
/// As for [`rb_next`].
#[allow(dead_code, reason = "Linux's whole interface; not every part has a user yet")]
pub unsafe fn rb_prev(node: NonNull<RbNode>) -> RbLink {
    // SAFETY: the caller's contract.
    unsafe { rb_step(node, Left) }
}

/// The neighbour of `node` towards `side`: the outermost node of the subtree
/// on that side if there is one, else the first ancestor that `node` lies on
/// the other side of.
///
/// # Safety
/// As for [`rb_next`].
unsafe fn rb_step(node: NonNull<RbNode>, side: Side) -> RbLink {
    // SAFETY: the caller's contract.
    unsafe {
        if let Some(child) = rb_child(node, side) {
            return Some(rb_outermost(child, side.other()));
        }
        let mut node = node;
        while let Some(parent) = rb_parent(node) {
            if rb_child(parent, side) != Some(node) {
                return Some(parent);
            }
            node = parent;
        }
        None
    }
}

/// A way in which a tree is not a valid red-black tree (see [`rb_check`]).
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum RbViolation {
    /// Property 2: the root is red.
    RedRoot,
    /// Property 4: a red node has a red child.
    RedRedEdge,
    /// Property 5: two paths down from a node meet different numbers of
    /// black nodes.
    UnequalBlackHeight,
    /// A node's parent link does not point at the node whose child it is, or
    /// the root has a parent.
    BadParentLink,
}

/// Checks `root`'s tree: properties 2, 4 and 5 and every parent link (1 and 3
/// hold by construction). Returns the tree's black height, the number of
/// black nodes on each path from the root down to a leaf (0 if empty). The
/// order of the keys is the users' to check, as Linux's `validate_mm` does.
pub fn rb_check(root: &RbRoot) -> Result<usize, RbViolation> {
    let Some(top) = root.rb_node else { return Ok(0) };
    // SAFETY: a root links only live nodes (see `RbRoot`).
    if unsafe { top.as_ref() }.color == Red {
        return Err(RbViolation::RedRoot);
    }
    check_subtree(root.rb_node, None, Black)
}

/// The black height of the subtree at `link`, whose parent should be
/// `parent`, of colour `parent_color`. A wrong parent link is reported
/// before the node's children are visited, so a cycle ends the walk.
fn check_subtree(link: RbLink, parent: RbLink, parent_color: RbColor) -> Result<usize, RbViolation> {
    let Some(node) = link else { return Ok(0) };
    // SAFETY: a root links only live nodes (see `RbRoot`).
    let node = unsafe { node.as_ref() };
    if node.parent != parent {
        return Err(RbViolation::BadParentLink);
    }
    if node.color == Red && parent_color == Red {
        return Err(RbViolation::RedRedEdge);
    }
    let left = check_subtree(node.left, link, node.color)?;
    let right = check_subtree(node.right, link, node.color)?;
    if left != right {
        return Err(RbViolation::UnequalBlackHeight);
    }
    Ok(left + usize::from(node.color == Black))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lib::tests::rbtree::{Tree, XorShift, new_item};

    /// A tree built field by field, bypassing the algorithms: key `i` gets
    /// `colors[i]`, key 0 is the root, and each edge `(parent, child, side)`
    /// is linked both ways.
    fn hand_built(colors: &[RbColor], edges: &[(u32, u32, Side)]) -> Tree {
        let mut tree = Tree::default();
        for (key, &color) in (0..).zip(colors) {
            tree.model.insert(key, new_item(key));
            // SAFETY: the item was just made and nothing borrows it.
            unsafe { rb_set_color(tree.rb(key), color) };
        }
        for &(parent, child, side) in edges {
            // SAFETY: both items are live and nothing borrows them.
            unsafe {
                rb_set_child(tree.rb(parent), side, Some(tree.rb(child)));
                rb_set_parent(tree.rb(child), Some(tree.rb(parent)));
            }
        }
        tree.root.rb_node = Some(tree.rb(0));
        tree
    }

    /// Sets the parent link of `key`'s node, breaking the tree on purpose.
    fn set_parent(tree: &Tree, key: u32, parent: RbLink) {
        // SAFETY: the item is live and nothing borrows it.
        unsafe { rb_set_parent(tree.rb(key), parent) };
    }

    #[test]
    fn rb_check_accepts_a_valid_tree() {
        let tree = hand_built(&[Black, Red, Red], &[(0, 1, Left), (0, 2, Right)]);
        assert_eq!(rb_check(&tree.root), Ok(1));
    }

    #[test]
    fn rb_check_catches_a_red_root() {
        let tree = hand_built(&[Red], &[]);
        assert_eq!(rb_check(&tree.root), Err(RbViolation::RedRoot));
    }

    #[test]
    fn rb_check_catches_a_red_red_edge() {
        let tree = hand_built(&[Black, Red, Red], &[(0, 1, Left), (1, 2, Left)]);
        assert_eq!(rb_check(&tree.root), Err(RbViolation::RedRedEdge));
    }

    #[test]
    fn rb_check_catches_unequal_black_heights() {
        let tree = hand_built(&[Black, Black], &[(0, 1, Left)]);
        assert_eq!(rb_check(&tree.root), Err(RbViolation::UnequalBlackHeight));
    }

    #[test]
    fn rb_check_catches_bad_parent_links() {
        let tree = hand_built(&[Black, Red, Red], &[(0, 1, Left), (0, 2, Right)]);
        set_parent(&tree, 2, Some(tree.rb(1)));
        assert_eq!(rb_check(&tree.root), Err(RbViolation::BadParentLink), "a child pointing at its sibling");
        set_parent(&tree, 2, Some(tree.rb(0)));
        set_parent(&tree, 0, Some(tree.rb(1)));
        assert_eq!(rb_check(&tree.root), Err(RbViolation::BadParentLink), "root with a parent");
    }

    /// The check is strong enough to catch a wrong recolouring: in a valid
    /// tree, flipping any one node's colour breaks property 2, 4 or 5.
    #[test]
    fn rb_check_catches_any_single_colour_flip() {
        let tree = Tree::of(XorShift(7).shuffled(200));
        tree.check();
        for key in tree.keys() {
            let node = tree.rb(key);
            // SAFETY: the item is live and nothing borrows it.
            let flip = |color| unsafe { rb_set_color(node, color) };
            let color = tree.node(key).color();
            flip(if color == Red { Black } else { Red });
            assert!(rb_check(&tree.root).is_err(), "flipping {key} went unnoticed");
            flip(color);
        }
        tree.check();
    }
}
